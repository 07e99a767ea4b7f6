import { z } from 'zod';
import { PROVIDERS } from '../domain/model.js';

/** A stored secret: a non-empty string. */
const secret = z.string().min(1);
const apiKey = z.strictObject({ apiKey: secret });

/**
 * The credentials `auth login` stores for a profile, as the config file holds them (resolveCredentials
 * reads these fields). Every key is checked, so a misspelt field is reported instead of ignored.
 */
export const storedCredentialsSchema = z.strictObject({
  retell: apiKey.optional(),
  vapi: apiKey.optional(),
  bland: apiKey.optional(),
  twilio: z.strictObject({ accountSid: secret, authToken: secret.optional(), apiKey: secret.optional(), apiSecret: secret.optional() }).optional(),
});

/** The providers a profile may store credentials for, for messages. */
export const CREDENTIAL_PROVIDERS: readonly string[] = PROVIDERS;
