import * as z from 'zod/mini';
import { PROVIDERS } from '../domain/model.js';

/** A stored secret: a non-empty string. */
const secret = z.string().check(z.minLength(1));
const apiKey = z.strictObject({ apiKey: secret });

/**
 * The credentials `auth login` stores for a profile, as the config file holds them (resolveCredentials
 * reads these fields). Every key is checked, so a misspelt field is reported instead of ignored.
 * zod/mini: this is read with the config file, by every command (see config/schema.ts).
 */
export const storedCredentialsSchema = z.strictObject({
  retell: z.optional(apiKey),
  vapi: z.optional(apiKey),
  bland: z.optional(apiKey),
  twilio: z.optional(z.strictObject({ accountSid: secret, authToken: z.optional(secret), apiKey: z.optional(secret), apiSecret: z.optional(secret) })),
  elevenlabs: z.optional(apiKey),
});

/** The providers a profile may store credentials for, for messages. */
export const CREDENTIAL_PROVIDERS: readonly string[] = PROVIDERS;
