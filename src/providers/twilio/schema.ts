import { z } from 'zod';
import { isStrictE164 } from '../../domain/phone.js';

/**
 * The fields voicenum reads from Twilio, checked after the SDK has turned the wire's snake_case
 * into its camelCase instances. Lenient: unknown fields pass, optional ones may be null; what
 * voicenum cannot do without (the sid, a strict E.164 number) makes the record unusable.
 */

const optionalText = z.string().nullish();

export const incomingNumberSchema = z.object({
  sid: z.string().regex(/^PN[0-9a-fA-F]{32}$/, 'sid is not a PN sid'),
  phoneNumber: z.string().refine(isStrictE164, 'phone_number is not an E.164 number'),
  friendlyName: optionalText,
  status: optionalText,
  origin: optionalText,
  capabilities: z
    .object({ voice: z.boolean().nullish(), sms: z.boolean().nullish() })
    .nullish(),
  voiceFallbackUrl: optionalText,
  trunkSid: optionalText,
  voiceApplicationSid: optionalText,
  smsApplicationSid: optionalText,
});
export type IncomingNumberFields = z.infer<typeof incomingNumberSchema>;

export const applicationSchema = z.object({
  sid: z.string().regex(/^AP[0-9a-fA-F]{32}$/, 'sid is not an AP sid'),
  friendlyName: optionalText,
});
export type ApplicationFields = z.infer<typeof applicationSchema>;

export const routeSchema = z.object({
  voiceRegion: optionalText,
});

/** Twilio's error body: `{ code, message, more_info, status }` → "Authenticate (20003)". */
export function twilioErrorMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { code, message, detail, title } = body as Record<string, unknown>;
  const text = typeof message === 'string' && message !== '' ? message : typeof detail === 'string' ? detail : typeof title === 'string' ? title : undefined;
  if (text === undefined) return undefined;
  return typeof code === 'number' || typeof code === 'string' ? `${text} (${code})` : text;
}
