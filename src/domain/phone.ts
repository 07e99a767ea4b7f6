import { createRequire } from 'node:module';
import type * as PhoneLibrary from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { UsageError } from './errors.js';

let library: typeof PhoneLibrary | undefined;

/**
 * libphonenumber-js with its full metadata takes about a tenth of a second to load, and most runs
 * of the commands that import this module (the fleet plan, through the setting rules) never read a
 * number with it: it is required on first use, not imported.
 */
function parsePhoneNumberFromString(...args: Parameters<typeof PhoneLibrary.parsePhoneNumberFromString>): ReturnType<typeof PhoneLibrary.parsePhoneNumberFromString> {
  library ??= createRequire(import.meta.url)('libphonenumber-js/max') as typeof PhoneLibrary;
  return library.parsePhoneNumberFromString(...args);
}

/**
 * Parse what an operator typed into E.164. Accepted, and nothing else:
 * - E.164 and international forms: `+14155551234`, `+1 (415) 555-1234`, `+44 (0) 20 7946 0018`;
 * - the `00` international prefix: `0035315550003`;
 * - national forms of `defaultCountry`: `(415) 555-1234`, `415-555-1234`, `415.555.1234`;
 * - `tel:` URIs of a global number with RFC 3966 visual separators: `tel:+1-415-555-1234`.
 * The text is a number and nothing else: libphonenumber on its own reads a number out of any text
 * (`+14042000000x`, `+14042000000 ;rm -rf /`, an extension, Arabic-Indic digits) and would hand
 * back a valid number for all of them, so the characters are checked before it sees them.
 * Throws a UsageError that quotes the input and says what is wrong with it.
 */
export function toE164(input: string, defaultCountry: string = 'US'): string {
  const text = input.trim();
  const problem = (reason?: string) => notAPhoneNumber(input, reason);
  let candidate: string;
  let country: CountryCode | undefined = defaultCountry.toUpperCase() as CountryCode;
  if (/^tel:/i.test(text)) {
    const body = text.slice(4);
    if (body.includes(';')) throw problem('a tel: URI with parameters (an extension, a phone-context) is not one number; give the number alone');
    if (!/^\+[0-9().-]*[0-9][0-9().-]*$/.test(body)) throw problem(body.startsWith('+') ? characterProblem(body.slice(1), /[0-9().-]/) : 'a tel: URI holds a global number: tel:+ then digits, with - . ( ) between them');
    candidate = `+${body.replace(/[^0-9]/g, '')}`;
    country = undefined;
  } else {
    if (!/^\+?[0-9 ().-]+$/.test(text)) throw problem(characterProblem(text.startsWith('+') ? text.slice(1) : text, /[0-9 ().-]/));
    if (!/[0-9]/.test(text)) throw problem();
    // `00` is the international prefix of most of the world: 00353… is +353….
    candidate = /^00/.test(text) ? `+${text.slice(2)}` : text;
  }
  const parsed = parsePhoneNumberFromString(candidate, { defaultCountry: country });
  if (!parsed || !parsed.isPossible() || parsed.ext) throw problem();
  return parsed.number;
}

/** The refusal of text that is not a phone number, quoting it (control characters made visible) and saying why when known. */
export function notAPhoneNumber(input: string, reason?: string): UsageError {
  return new UsageError(`"${printable(input)}" is not a phone number${reason ? `: ${reason}` : ''}`, 'write it in E.164 (+14155551234) or in the national form of the default country');
}

/** Why text that failed the character check is not a number: the first character that does not belong. */
function characterProblem(text: string, allowed: RegExp): string {
  if (/(^|[\s\d])(ext\.?|x|#)\s*\d+$/i.test(text) || /;ext=/i.test(text)) return 'it has an extension; voicenum routes whole numbers only';
  for (const char of text) {
    if (allowed.test(char)) continue;
    if (char === '\uFFFD') return 'it holds bytes that are not valid UTF-8';
    if (/\p{Nd}/u.test(char)) return `"${char}" (${codePoint(char)}) is a digit of another script; write the digits 0-9`;
    if (char === '+') return 'a + may only start it';
    return `${/[\p{L}\p{N}\p{P}\p{S}]/u.test(char) ? `"${char}"` : codePoint(char)} is not part of a phone number`;
  }
  return 'it is not a phone number';
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
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
