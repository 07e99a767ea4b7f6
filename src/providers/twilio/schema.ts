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
  voiceUrl: optionalText,
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

// --- the life of a number: wire schemas (snake_case, read straight off the JSON answer) ---------
// Buying, releasing and the trunk pieces of an import are sent without the SDK (see lifecycle.ts),
// so these check Twilio's own field names. Only the fields voicenum reads are listed.

const sidOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `sid is not a ${prefix} sid`);

/** One AvailablePhoneNumbers entry. Twilio's answers write the capability keys in either case. */
export const availableNumberWire = z.object({
  phone_number: z.string().refine(isStrictE164, 'phone_number is not an E.164 number'),
  locality: optionalText,
  region: optionalText,
  capabilities: z.record(z.string(), z.boolean().nullish()).nullish(),
});
export const availableNumbersPageWire = z.object({ available_phone_numbers: z.array(z.unknown()) });

/** An IncomingPhoneNumber as the 2010 API writes it: what a buy answers, and the voice routing. */
export const incomingNumberWire = z.object({
  sid: sidOf('PN'),
  phone_number: z.string(),
  friendly_name: optionalText,
  status: optionalText,
  origin: optionalText,
  capabilities: z.object({ voice: z.boolean().nullish(), sms: z.boolean().nullish() }).nullish(),
  voice_fallback_url: optionalText,
  voice_url: optionalText,
  voice_method: optionalText,
  voice_application_sid: optionalText,
  trunk_sid: optionalText,
  sms_application_sid: optionalText,
});
export type IncomingNumberWire = z.infer<typeof incomingNumberWire>;

export const trunkWire = z.object({ sid: sidOf('TK'), domain_name: z.string(), friendly_name: optionalText });
export const trunkPageWire = z.object({
  trunks: z.array(trunkWire),
  meta: z.object({ next_page_url: optionalText }).nullish(),
});
export const trunkPhoneNumberPageWire = z.object({
  phone_numbers: z.array(z.object({ sid: sidOf('PN') })),
  meta: z.object({ next_page_url: optionalText }).nullish(),
});
export const originationUrlWire = z.object({ sid: sidOf('OU') });
/** A SIP credential list (2010 API), and its attachment to a trunk (Trunking v1): both carry the CL sid. */
export const credentialListWire = z.object({ sid: sidOf('CL') });
export const credentialListPageWire = z.object({ credential_lists: z.array(z.object({ sid: sidOf('CL'), friendly_name: optionalText })), next_page_uri: optionalText });
export const trunkCredentialListPageWire = z.object({ credential_lists: z.array(z.object({ sid: sidOf('CL') })), meta: z.object({ next_page_url: optionalText }).nullish() });
export const credentialWire = z.object({ sid: sidOf('CR') });
export const trunkPhoneNumberWire = z.object({ sid: sidOf('PN'), trunk_sid: optionalText });
