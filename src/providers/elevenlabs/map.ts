import { ProviderError } from '../../domain/errors.js';
import type { RemoteAgent, RemoteNumber, SkippedRecord, SlotAgent } from '../../domain/model.js';
import { isStrictE164 } from '../../domain/phone.js';
import { describeIssue } from '../schema-issue.js';
import type { CarrierSource, SettingsWrite, SlotWrite, WriteSlotAgent } from '../types.js';
import { AgentSchema, PhoneNumberSchema, type ElevenLabsPhoneNumberRecord } from './schema.js';

export type MapResult<T> = { ok: true; value: T } | { ok: false; skipped: SkippedRecord };

function idOf(raw: unknown, field: string): string {
  const id = (raw as Record<string, unknown> | null)?.[field];
  return typeof id === 'string' && id !== '' ? id : '(no id)';
}

function skip(kind: SkippedRecord['kind'], raw: unknown, reason: string): { ok: false; skipped: SkippedRecord } {
  return { ok: false, skipped: { provider: 'elevenlabs', kind, id: idOf(raw, kind === 'number' ? 'phone_number_id' : 'agent_id'), reason } };
}

function inboundOf(record: ElevenLabsPhoneNumberRecord): SlotAgent[] {
  const agent = record.assigned_agent;
  return agent ? [{ agentId: agent.agent_id, weight: 1 }] : [];
}

/**
 * A phone number in the domain's terms. `origin` is the number's `provider` (`twilio`, `sip_trunk`,
 * `exotel`). Capabilities are unknown (null): the carrier's record, where voicenum has one, says
 * what the number can do. An empty label is no label (see labelPatch).
 */
export function mapNumber(raw: unknown): MapResult<RemoteNumber> {
  const parsed = PhoneNumberSchema.safeParse(raw);
  if (!parsed.success) return skip('number', raw, describeIssue(parsed.error));
  const record = parsed.data;
  if (!isStrictE164(record.phone_number)) return skip('number', raw, `number ${JSON.stringify(String(record.phone_number).slice(0, 40))} is not in E.164 form`);
  return {
    ok: true,
    value: {
      provider: 'elevenlabs',
      providerId: record.phone_number_id,
      e164: record.phone_number,
      label: record.label ? record.label : null,
      status: null,
      capabilities: { voice: null, sms: null },
      region: null,
      fallback: null,
      origin: record.provider ?? null,
      slots: { inbound: inboundOf(record), outbound: [], sms: [] },
    },
  };
}

/** An agent. ElevenLabs has no published flag on an agent (versions live in branches): live is unknown. */
export function mapAgent(raw: unknown): MapResult<RemoteAgent> {
  const parsed = AgentSchema.safeParse(raw);
  if (!parsed.success) return skip('agent', raw, describeIssue(parsed.error));
  const { agent_id: id, name } = parsed.data;
  return { ok: true, value: { provider: 'elevenlabs', id, name: name || id, kind: 'agent', live: null } };
}

// --- writes -----------------------------------------------------------------------------------

export type PhoneNumberPatch = { agent_id?: string | null; label?: string };

/**
 * The PATCH body that sets the inbound agent: `agent_id`, or null to unassign. The schema types
 * `agent_id` as nullable; that a null unassigns is UNCONFIRMED (the answer is verified against
 * what was asked, so a null that changed nothing is reported, not recorded as done). Outbound and
 * SMS are not ElevenLabs slots: asking for them is a caller's bug (the rules refuse them first).
 */
export function slotPatch(slots: SlotWrite, current: RemoteNumber): PhoneNumberPatch {
  if (slots.outbound !== undefined) throw new Error('ElevenLabs numbers have no outbound slot: each outbound call names its agent');
  if (slots.sms !== undefined) throw new Error('ElevenLabs numbers have no SMS slot');
  if (slots.inbound === undefined) return {};
  const agents = slots.inbound;
  if (agents.length > 1) throw new Error(`ElevenLabs holds one agent per number; got ${agents.length}`);
  const agent: WriteSlotAgent | undefined = agents[0];
  if (agent && agent.version !== undefined && agent.version !== null) throw new Error('ElevenLabs numbers take no agent version pin');
  if (agent && agent.kind !== 'agent') throw new Error(`an ElevenLabs number is answered by an agent, not a ${agent.kind}`);
  const held = current.slots.inbound[0]?.agentId ?? null;
  const wanted = agent?.agentId ?? null;
  return held === wanted ? {} : { agent_id: wanted };
}

/**
 * The PATCH body that sets the label. A label is required at import and every answer carries one,
 * so a null here would most likely mean "leave it" (UNCONFIRMED): clearing sends an empty label
 * instead, which the schema allows (a string without a minimum length). There is no fallback.
 */
export function labelPatch(settings: SettingsWrite, current: RemoteNumber): PhoneNumberPatch {
  if (settings.fallback !== undefined) throw new Error('ElevenLabs numbers have no fallback destination');
  if (settings.label === undefined) return {};
  const wanted = settings.label ?? '';
  return (current.label ?? '') === wanted ? {} : { label: wanted };
}

export interface TwilioImportBody {
  provider: 'twilio';
  phone_number: string;
  label: string;
  sid: string;
  token: string;
}

/**
 * A Twilio number imported with the account's SID and auth token (CreateTwilioPhoneNumberRequest:
 * `phone_number`, `label`, `sid`, `token` are required). The spec names only the auth token, so an
 * API key and secret are refused before sending. `label` is required: without one, the number
 * itself. `enable_sms` is left to its default (on: ElevenLabs takes the number's texts); the spec
 * says to switch it off for numbers that cannot text, but not what happens if one does not.
 */
export function toTwilioImportBody(e164: string, source: CarrierSource, label: string | undefined): TwilioImportBody {
  if (!source.authToken) {
    throw new ProviderError('elevenlabs', `importing ${e164} needs the Twilio account's auth token (ElevenLabs takes the account SID and auth token; an API key is not enough)`, {
      hint: 'set TWILIO_AUTH_TOKEN (or `voicenum auth login twilio` with the auth token) for the import',
    });
  }
  return { provider: 'twilio', phone_number: e164, label: label ?? e164, sid: source.accountSid, token: source.authToken };
}
