/**
 * The indefinite article before a word, by its first letter: "an agent", "a number". Provider names
 * go into messages as words ("a vapi number"); a name that starts with a vowel needs "an".
 */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
