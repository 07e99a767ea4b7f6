import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { UsageError } from './errors.js';

/**
 * Parse what an operator typed (`+1 415 555 1234`, `(415) 555-1234`, `14155551234`) into E.164.
 * Numbers without a country code are read in `defaultCountry`. Throws a UsageError that quotes
 * the input when it is not a possible phone number.
 */
export function toE164(input: string, defaultCountry: string = 'US'): string {
  const text = input.trim();
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: defaultCountry.toUpperCase() as CountryCode });
  if (!parsed || !parsed.isPossible()) {
    throw new UsageError(`"${printable(input)}" is not a phone number`, 'write it in E.164 (+14155551234) or in the national form of the default country');
  }
  return parsed.number;
}

/** Whether a string from upstream is already a strict E.164 number that exists in the numbering plan. */
export function isStrictE164(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value)) return false;
  const parsed = parsePhoneNumberFromString(value);
  return parsed !== undefined && parsed.number === value && parsed.isPossible();
}

function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 60);
}
