import { randomBytes, randomInt } from '../../util/lazy-builtins.js';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const ALPHABET = LOWER + UPPER + DIGITS;

/**
 * A SIP credential password: 32 characters drawn with the crypto generator, with at least one
 * lower-case letter, one upper-case letter and one digit (Twilio asks for ≥ 12 characters, a digit
 * and mixed case). Look-alike characters are left out in case a person ever has to type one. It is
 * handed to the carrier and the platform and then forgotten: never logged, printed or stored.
 */
export function generateSipPassword(length = 32): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < length; i++) password += ALPHABET[randomInt(ALPHABET.length)];
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password)) return password;
  }
}

/** A short random tag (lower-case hex) that makes a trunk's domain name unique across the carrier. */
export function randomTag(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}
