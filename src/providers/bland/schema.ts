import { z } from 'zod';

/**
 * The parts of Bland's responses voicenum reads. Lenient on purpose: unknown fields pass, and
 * records are checked one by one so a single bad record is skipped instead of failing a sync.
 */

/** One entry of `GET /v1/inbound` and the body of `GET /v1/inbound/{phone_number}`. */
export const numberRecord = z.object({
  phone_number: z.string(),
  label: z.string().nullish(),
  pathway_id: z.string().nullish(),
  persona_id: z.string().nullish(),
});
export type NumberRecord = z.infer<typeof numberRecord>;

export const numberList = z.object({ inbound_numbers: z.array(z.unknown()) });

/** `GET /v2/agents` entries carry no environments; `GET /v2/agents/{id}` adds them. */
export const agentRecord = z.object({ id: z.string().min(1), name: z.string() });
export type AgentRecord = z.infer<typeof agentRecord>;

export const agentList = z.object({ data: z.array(z.unknown()) });

export const agentDetail = z.object({
  data: z.object({
    id: z.string(),
    environments: z.array(z.object({ env_type: z.string(), current_version_id: z.string().nullish() })).nullish(),
  }),
});

/** `GET /v2/agents/{id}/inbound`: the persona the agent's numbers route through. */
export const agentBinding = z.object({ data: z.object({ persona_id: z.string().nullish() }) });

/** The attach answer is not documented in detail; `persona_id` is used when present. */
export const attachAnswer = z.object({ data: z.object({ persona_id: z.string().nullish() }).nullish() }).nullish();

/** `POST /v1/inbound/{phone_number}` answers `{ status, message, data: <number record> }`; the record is used when present. */
export const numberUpdateAnswer = z.object({ data: numberRecord.nullish() }).nullish();

/** `POST /v1/inbound/purchase` answers the number bought (docs: `{ "phone_number": "+1…" }`). */
export const purchaseAnswer = z.object({ phone_number: z.string() });

/** `POST /v1/accounts` (Create Encrypted Key): the key of a customer's Twilio account, shown once. */
export const encryptedKeyAnswer = z.object({ encrypted_key: z.string().min(1) });

/** `POST /v1/inbound/insert`: the numbers taken; those that failed are simply not listed. */
export const insertAnswer = z.object({ message: z.string().nullish(), inserted: z.array(z.string()).nullish() });

export const pathwayRecord = z.object({ id: z.string().min(1), name: z.string() });

/** `GET /v1/pathway`: the docs show no envelope; a `data` or `pathways` wrapper is accepted too. */
export const pathwayList = z.union([
  z.array(z.unknown()),
  z.object({ data: z.array(z.unknown()) }).transform((body) => body.data),
  z.object({ pathways: z.array(z.unknown()) }).transform((body) => body.pathways),
]);

export const personaAnswer = z.object({
  data: z.object({ id: z.string().min(1), name: z.string(), current_production_version_id: z.string().nullish() }),
});

export const smsList = z.object({ data: z.array(z.unknown()) });
export const smsEntry = z.object({
  phone_number: z.string(),
  sms_config: z.object({ pathway_id: z.string().nullish() }).nullish(),
});

/**
 * The readable message of a Bland error body: older v1 endpoints send `{ status, message }`, the
 * v2, persona and SMS endpoints `{ data, errors: [{ message, error }] }`.
 */
export function blandErrorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (Array.isArray(record.errors) && record.errors.length > 0) {
    const parts = record.errors.map((entry) => {
      if (typeof entry === 'string') return entry;
      if (typeof entry !== 'object' || entry === null) return '';
      const { message, error, code } = entry as Record<string, unknown>;
      const text = typeof message === 'string' ? message : '';
      const tag = typeof error === 'string' ? error : typeof code === 'string' ? code : '';
      return text && tag ? `${text} (${tag})` : text || tag;
    });
    const joined = parts.filter(Boolean).join('; ');
    if (joined) return joined;
  }
  if (typeof record.message === 'string') return record.message;
  if (typeof record.error === 'string') return record.error;
  return undefined;
}
