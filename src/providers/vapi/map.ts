import type { RemoteAgent, RemoteNumber, SkippedRecord, SlotAgent } from '../../domain/model.js';
import { isStrictE164 } from '../../domain/phone.js';
import type { SettingsWrite, SlotWrite, WriteSlotAgent } from '../types.js';
import { AssistantSchema, describeIssue, PhoneNumberSchema, SquadSchema, type VapiPhoneNumberRecord } from './schema.js';

/** Vapi's phone-number variants, the discriminator its update DTOs are chosen by. */
const PHONE_PROVIDERS = new Set(['byo-phone-number', 'twilio', 'vonage', 'vapi', 'telnyx']);

export type MapResult<T> = { ok: true; value: T } | { ok: false; skipped: SkippedRecord };

function idOf(raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? id : '(no id)';
}

function skip(kind: SkippedRecord['kind'], raw: unknown, reason: string): { ok: false; skipped: SkippedRecord } {
  return { ok: false, skipped: { provider: 'vapi', kind, id: idOf(raw), reason } };
}

/** Vapi texts the handler of the call side: only Twilio imports with SMS left on get texts at all. */
function textsReachHandler(record: VapiPhoneNumberRecord): boolean {
  return record.provider === 'twilio' && record.smsEnabled !== false;
}

function inboundOf(record: VapiPhoneNumberRecord): SlotAgent[] {
  const handler = record.assistantId ?? record.squadId;
  return handler ? [{ agentId: handler, weight: 1 }] : [];
}

function fallbackOf(record: VapiPhoneNumberRecord): string | null {
  const destination = record.fallbackDestination;
  if (destination?.type === 'number') return destination.number ?? null;
  if (destination?.type === 'sip') return destination.sipUri ?? null;
  return null;
}

export function mapNumber(raw: unknown): MapResult<RemoteNumber> {
  const parsed = PhoneNumberSchema.safeParse(raw);
  if (!parsed.success) return skip('number', raw, describeIssue(parsed.error));
  const record = parsed.data;
  const number = record.number;
  if (!number) return skip('number', raw, 'has no phone number (a SIP-only Vapi number)');
  if (!isStrictE164(number)) return skip('number', raw, `number ${JSON.stringify(String(number).slice(0, 40))} is not in E.164 form`);
  const inbound = inboundOf(record);
  const sms = textsReachHandler(record);
  return {
    ok: true,
    value: {
      provider: 'vapi',
      providerId: record.id,
      e164: number,
      label: record.name ?? null,
      status: record.status ?? null,
      capabilities: { voice: null, sms: sms ? true : null },
      region: null,
      fallback: fallbackOf(record),
      origin: record.provider,
      slots: { inbound, outbound: [], sms: sms ? inbound.map((entry) => ({ ...entry })) : [] },
    },
  };
}

/**
 * Vapi has no published flag. `latestVersion` names the newest published version once the org is
 * on versioning, so a label there means live; its absence may just mean no versioning: unknown.
 */
export function mapAssistant(raw: unknown): MapResult<RemoteAgent> {
  const parsed = AssistantSchema.safeParse(raw);
  if (!parsed.success) return skip('agent', raw, describeIssue(parsed.error));
  const { id, name, latestVersion } = parsed.data;
  return { ok: true, value: { provider: 'vapi', id, name: name ?? id, kind: 'assistant', live: latestVersion ? true : null } };
}

export function mapSquad(raw: unknown): MapResult<RemoteAgent> {
  const parsed = SquadSchema.safeParse(raw);
  if (!parsed.success) return skip('agent', raw, describeIssue(parsed.error));
  const { id, name } = parsed.data;
  return { ok: true, value: { provider: 'vapi', id, name: name ?? id, kind: 'squad', live: null } };
}

// --- writes -----------------------------------------------------------------------------------

export type PhoneNumberPatch = Record<string, string | boolean | null | { type: 'number'; number: string }>;

/** The one agent a Vapi slot can hold, or null to clear it. Anything else is a caller's bug. */
function singleAgent(slot: string, agents: WriteSlotAgent[]): WriteSlotAgent | null {
  if (agents.length > 1) throw new Error(`Vapi holds one agent per ${slot} slot; got ${agents.length}`);
  const agent = agents[0];
  if (!agent) return null;
  if (agent.version !== undefined && agent.version !== null) throw new Error('Vapi numbers take no agent version pin');
  if (agent.kind !== 'assistant' && agent.kind !== 'squad') throw new Error(`a Vapi number is answered by an assistant or a squad, not a ${agent.kind}`);
  return agent;
}

/** Exactly one handler field set, the others cleared, so an old squad never outlives a new assistant. */
function handlerFields(agent: WriteSlotAgent | null): PhoneNumberPatch {
  return {
    assistantId: agent?.kind === 'assistant' ? agent.agentId : null,
    squadId: agent?.kind === 'squad' ? agent.agentId : null,
    workflowId: null,
  };
}

function smsFields(agent: WriteSlotAgent | null, inbound: WriteSlotAgent | null | undefined, current: RemoteNumber): PhoneNumberPatch {
  if (current.origin !== 'twilio') {
    if (agent === null) return {};
    throw new Error(`Vapi routes texts only on numbers imported from Twilio; this one is a ${String(current.origin)} number`);
  }
  if (agent === null) return { smsEnabled: false };
  // Texts go to the number's call handler: an SMS agent is that handler.
  if (inbound !== undefined && inbound?.agentId !== agent.agentId) throw new Error('on Vapi the sms agent is the inbound agent; both must name the same agent');
  return { ...handlerFields(agent), smsEnabled: true };
}

/**
 * The one PATCH body that sets the requested slots. The number's own `provider` goes along: it is
 * the discriminator that picks the update DTO, and the official SDK refuses a body without it.
 */
export function slotPatch(slots: SlotWrite, current: RemoteNumber): PhoneNumberPatch {
  if (slots.outbound !== undefined) throw new Error('Vapi numbers have no outbound slot: Vapi picks the assistant per call');
  const inbound = slots.inbound === undefined ? undefined : singleAgent('inbound', slots.inbound);
  const sms = slots.sms === undefined ? undefined : singleAgent('sms', slots.sms);
  const patch: PhoneNumberPatch = {
    ...(inbound === undefined ? {} : handlerFields(inbound)),
    ...(sms === undefined ? {} : smsFields(sms, inbound, current)),
  };
  return withProvider(patch, current);
}

/** Adds the number's own `provider` to a non-empty patch: the discriminator that picks the update DTO. */
function withProvider(patch: PhoneNumberPatch, current: RemoteNumber): PhoneNumberPatch {
  if (Object.keys(patch).length > 0 && current.origin && PHONE_PROVIDERS.has(current.origin)) patch.provider = current.origin;
  return patch;
}

/**
 * The one PATCH body that sets the label (`name`, at most 40 characters at Vapi) and/or the
 * fallback (`fallbackDestination`, a number destination; null clears it). Only what is asked for
 * is sent, with the number's `provider` beside it as for slot writes.
 */
export function settingsPatch(settings: SettingsWrite, current: RemoteNumber): PhoneNumberPatch {
  const patch: PhoneNumberPatch = {};
  if (settings.label !== undefined) patch.name = settings.label;
  if (settings.fallback !== undefined) patch.fallbackDestination = settings.fallback === null ? null : { type: 'number', number: settings.fallback };
  return withProvider(patch, current);
}
