/**
 * `make` run once per distinct text, its result shared by every later call with the same text: for
 * values read from thousands of rows that repeat (the same slots, the same status), which are then
 * one object each instead of one per row.
 */
export function memoByText<T>(make: (text: string) => T): (text: string) => T {
  const made = new Map<string, T>();
  return (text) => {
    let value = made.get(text);
    if (value === undefined) made.set(text, (value = make(text)));
    return value;
  };
}
