import { z } from 'zod';

/**
 * The parts of ElevenLabs Agents' (Conversational AI, "convai") answers that voicenum reads, from
 * the platform's OpenAPI document (api.elevenlabs.io/openapi.json as saved on 2026-08-22). Unknown
 * fields pass, and records are checked one by one: a bad record is skipped, never a whole sync.
 */

/** `assigned_agent` of a number: the one agent that answers its calls (PhoneNumberAgentInfo). */
export const AssignedAgentSchema = z.looseObject({
  agent_id: z.string().min(1),
  agent_name: z.string().nullish(),
  /** Which branch of the agent (and which environment's variables) calls use; not versions voicenum pins. */
  branch_id: z.string().nullish(),
  environment: z.string().nullish(),
});

/**
 * One phone number: the `provider` union (GetPhoneNumberTwilioResponseModel, …SIPTrunk…,
 * …Exotel…) reduced to what every variant has. There is no status, no capabilities (the
 * `supports_inbound`/`supports_outbound` flags are deprecated), no fallback and no SMS field.
 */
export const PhoneNumberSchema = z.looseObject({
  phone_number_id: z.string().min(1),
  phone_number: z.string(),
  label: z.string().nullish(),
  provider: z.string().nullish(),
  assigned_agent: AssignedAgentSchema.nullish(),
});
export type ElevenLabsPhoneNumberRecord = z.infer<typeof PhoneNumberSchema>;

/** `GET /v1/convai/phone-numbers` answers a bare array: the whole account, no paging. */
export const PhoneNumberListSchema = z.array(z.unknown());

/** `POST /v1/convai/phone-numbers` answers only the new number's id (CreatePhoneNumberResponseModel). */
export const CreatedSchema = z.looseObject({ phone_number_id: z.string().min(1) });

/** One entry of `GET /v1/convai/agents` (AgentSummaryResponseModel). */
export const AgentSchema = z.looseObject({
  agent_id: z.string().min(1),
  name: z.string().nullish(),
  archived: z.boolean().nullish(),
});

/** `GET /v1/convai/agents`: a page and the cursor to the next (GetAgentsPageResponseModel). */
export const AgentPageSchema = z.looseObject({
  agents: z.array(z.unknown()),
  next_cursor: z.string().nullish(),
  has_more: z.boolean(),
});
export type ElevenLabsAgentPage = z.infer<typeof AgentPageSchema>;

/**
 * Error bodies. The spec documents one: 422 `HTTPValidationError`, `{ detail: [{ loc, msg, type }] }`
 * (FastAPI). Other statuses are not in the spec; third parties report `{ detail: { status, message } }`
 * (UNCONFIRMED), and a plain `{ detail: "text" }` is FastAPI's default: all three are read.
 */
const ValidationIssueSchema = z.looseObject({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() });
const ErrorBodySchema = z.looseObject({
  detail: z.union([z.string(), z.array(ValidationIssueSchema), z.looseObject({ status: z.string().optional(), message: z.string().optional() })]),
});

export function elevenlabsErrorMessage(body: unknown): string | undefined {
  const parsed = ErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { detail } = parsed.data;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    // `loc` starts with where the value was ("body", "query", "path"): the field is what follows.
    const lines = detail.map((issue) => {
      const at = (issue.loc ?? []).filter((part, index) => !(index === 0 && ['body', 'query', 'path', 'header'].includes(String(part)))).join('.');
      return at ? `${at}: ${issue.msg}` : issue.msg;
    });
    return lines.length > 0 ? lines.join('; ') : undefined;
  }
  return detail.message ?? detail.status;
}
