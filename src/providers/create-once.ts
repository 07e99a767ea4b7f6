import { PartialWriteError, ProviderError } from '../domain/errors.js';

/**
 * Whether a failed create may still have been applied upstream: no answer came (timeout, reset), or
 * a 5xx/408, which the provider or a proxy in front of it may send after the record was made.
 */
export function outcomeUnknown(error: unknown): error is ProviderError {
  return error instanceof ProviderError && !(error instanceof PartialWriteError) && (error.status === null || error.status === 408 || error.status >= 500);
}

/**
 * Run a create that must not happen twice (the HTTP layer does not retry it, see `retry: 'unprocessed'` in
 * http.ts). When its outcome is unknown, `find` looks upstream for the record it asked for: found,
 * the create did land and its record is the answer; not found, the original error stands. Where
 * there is nothing to look for (a number bought by area code) or the look-up fails too, the error
 * says the record may exist, so nobody buys a second number by retrying blindly.
 */
export async function createOnce<T>(provider: string, what: string, create: () => Promise<T>, find?: () => Promise<T | null>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!outcomeUnknown(error)) throw error;
    if (find) {
      let found: T | null;
      try {
        found = await find();
      } catch {
        throw maybeMade(provider, what, error);
      }
      if (found !== null) return found;
      throw error;
    }
    throw maybeMade(provider, what, error);
  }
}

function maybeMade(provider: string, what: string, error: ProviderError): ProviderError {
  const message = error.message.startsWith(`${provider}: `) ? error.message.slice(provider.length + 2) : error.message;
  return new ProviderError(provider, `${message}; ${what} may have been made all the same`, {
    status: error.status,
    retryable: false,
    hint: `run \`voicenum sync --provider ${provider}\` to see whether it was before trying again`,
  });
}
