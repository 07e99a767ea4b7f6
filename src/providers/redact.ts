/**
 * The one place that removes secrets from text that may be shown: HTTP errors (a provider's message
 * may quote the request back), `--verbose` traces, and bodies quoted in errors. A key travels as
 * itself, URL-encoded (in a query or a form body, `+` for a space or `%20`), JSON-escaped, in base64
 * (HTTP Basic: base64 of `user:secret`, or of the key alone), and an upstream that echoes a request
 * may echo it in any of those forms; each is removed.
 *
 * Every form is computed once per secret, when the redactor is made, and all are matched by one
 * pattern: redacting a line costs one scan however many secrets there are.
 */

/** A secret, and for HTTP Basic the user name it is sent with. */
export interface Secret {
  value: string;
  user?: string;
}

export const REDACTED = '***';

/** Shorter secrets would match ordinary words; no provider issues keys this short. */
const MIN_SECRET = 4;
/** A base64 fragment shorter than this could occur by chance in an id or a path. */
const MIN_BASE64_FRAGMENT = 8;
/** Stands in for a base64 fragment until the base64 run around it is removed (see redact). */
const MARK = '\u{F0000}';
const BASE64_RUN = new RegExp(`[A-Za-z0-9+/_-]*${MARK}(?:[A-Za-z0-9+/_-]*${MARK})*[A-Za-z0-9+/_-]*=*`, 'gu');

export class Redactor {
  private readonly pattern: RegExp | null;
  private readonly base64: ReadonlySet<string>;

  constructor(secrets: readonly (string | Secret)[]) {
    const literal = new Set<string>();
    const base64 = new Set<string>();
    for (const secret of secrets.map((s) => (typeof s === 'string' ? { value: s } : s))) {
      if (secret.value.length < MIN_SECRET) continue;
      for (const form of textForms(secret.value)) literal.add(form);
      for (const fragment of base64Fragments(secret.value)) base64.add(fragment);
      // Whole encodings too: a short secret may have no fragment long enough to stand alone.
      const whole = [secret.value, ...(secret.user === undefined ? [] : [`${secret.user}:${secret.value}`])];
      for (const text of whole) for (const encoded of base64Forms(Buffer.from(text, 'utf8'))) base64.add(encoded);
    }
    for (const fragment of base64) literal.delete(fragment);
    const all = [...literal, ...base64].filter((form) => form.length >= MIN_SECRET).sort((a, b) => b.length - a.length);
    this.base64 = base64;
    this.pattern = all.length ? new RegExp(all.map(escapeRegExp).join('|'), 'g') : null;
  }

  redact(text: string): string {
    if (!this.pattern) return text;
    let marked = false;
    const out = text.replace(this.pattern, (found) => {
      if (!this.base64.has(found)) return REDACTED;
      marked = true;
      return MARK;
    });
    // A base64 fragment sits inside a longer base64 run (the rest of `user:secret`, padding): the
    // whole run goes, so what is left cannot be decoded back into part of the key.
    return marked ? out.replace(BASE64_RUN, REDACTED) : out;
  }
}

/** The forms a secret takes as text: itself, URL-encoded (both spaces, both hex cases), JSON-escaped. */
function textForms(secret: string): string[] {
  const component = encodeURIComponent(secret);
  const form = new URLSearchParams({ k: secret }).toString().slice(2);
  const forms = [secret, component, component.replace(/%20/g, '+'), form, encodeURI(secret), JSON.stringify(secret).slice(1, -1)];
  return [...forms, ...forms.map((f) => f.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()))];
}

/** Standard and URL-safe base64, with and without padding. */
function base64Forms(bytes: Buffer): string[] {
  const standard = bytes.toString('base64');
  const urlSafe = bytes.toString('base64url');
  return [standard, standard.replace(/=+$/, ''), urlSafe];
}

/**
 * What the secret's bytes encode to inside any longer base64 text (`user:secret`, a token with a
 * prefix): base64 turns 3 bytes into 4 characters, so the secret starts at one of three offsets of
 * a group. For each, the characters that depend on the secret's bytes alone.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Skip the characters that hold filler bits; stop before those that hold the next bytes.
    const start = [0, 2, 3][offset]!;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    const fragment = encoded.slice(start, end);
    if (fragment.length >= MIN_BASE64_FRAGMENT) out.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
