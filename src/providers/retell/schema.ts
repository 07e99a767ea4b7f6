import { z } from 'zod';

/**
 * The parts of Retell's responses voicenum reads. Lenient on purpose: unknown fields pass, and
 * optional fields may be absent or null, so a new upstream field never breaks a sync.
 */

/**
 * A version number past 2^53 − 1 arrives already rounded by JSON parsing, so it is refused rather
 * than cached as a neighbouring version.
 */
const exactVersion = z.number().refine(Number.isSafeInteger, 'agent_version is not an integer voicenum can hold exactly');

export const agentWeightSchema = z.object({
  agent_id: z.string().min(1),
  agent_version: z.union([exactVersion, z.string()]).nullish(),
  weight: z.number(),
});
export type AgentWeightWire = z.infer<typeof agentWeightSchema>;

const agentListSchema = z.array(agentWeightSchema).nullish();

export const phoneNumberSchema = z.object({
  phone_number: z.string(),
  phone_number_type: z.string().nullish(),
  nickname: z.string().nullish(),
  fallback_number: z.string().nullish(),
  inbound_agents: agentListSchema,
  outbound_agents: agentListSchema,
  inbound_sms_agents: agentListSchema,
  outbound_sms_agents: agentListSchema,
  /** Set on numbers imported over SIP: where Retell sends their outbound calls. */
  sip_outbound_trunk_config: z.object({ termination_uri: z.string().nullish() }).nullish(),
});
export type PhoneNumberWire = z.infer<typeof phoneNumberSchema>;

export const agentSchema = z.object({
  agent_id: z.string().min(1),
  agent_name: z.string().nullish(),
  channel: z.string().min(1),
});
export type AgentWire = z.infer<typeof agentSchema>;

export const agentVersionSchema = z.object({
  version: z.number().nullish(),
  is_published: z.boolean().nullish(),
});
export type AgentVersionWire = z.infer<typeof agentVersionSchema>;

/** The envelope of every v2 list endpoint; items are checked one by one afterwards. */
export const pageSchema = z.object({
  items: z.array(z.unknown()),
  has_more: z.boolean().nullish(),
  pagination_key: z.string().nullish(),
});
export type PageWire = z.infer<typeof pageSchema>;

/** Retell's error body: `{ "status": "error", "message": "..." }`. */
export function retellErrorMessage(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return undefined;
}
