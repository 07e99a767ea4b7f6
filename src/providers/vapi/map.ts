import type { RemoteAgent, RemoteNumber, SkippedRecord, SlotAgent } from '../../domain/model.js';
import { isStrictE164 } from '../../domain/phone.js';
import { ProviderError } from '../../domain/errors.js';
import type { PurchaseRequest, SettingsWrite, SlotWrite, CarrierSource, WriteSlotAgent } from '../types.js';
import { describeIssue } from '../schema-issue.js';
import { AssistantSchema, PhoneNumberSchema, SquadSchema, type VapiPhoneNumberRecord } from './schema.js';

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

const HANDLER_FIELDS = ['assistantId', 'squadId', 'workflowId'] as const;
type HandlerField = (typeof HANDLER_FIELDS)[number];

/**
 * What a number holds in the fields voicenum writes, as Vapi last answered. Vapi's update DTOs
 * type every one of these fields as a plain value, never nullable, yet null is the only way to
 * clear one (an absent field is left alone): so a PATCH carries null for a field the number
 * holds and for nothing else. A field is held when Vapi answered it at all, even empty.
 */
export interface HeldFields {
  provider: string;
  assistantId: string | null;
  squadId: string | null;
  workflowId: string | null;
  name: string | null;
  fallbackDestination: { type: string; number?: string } | null;
  /** null when Vapi left it out: SMS is then on by default (Twilio imports only). */
  smsEnabled: boolean | null;
}

/** The held fields of a raw phone number, or null when it is not one voicenum can read. */
export function heldFieldsOf(raw: unknown): HeldFields | null {
  const parsed = PhoneNumberSchema.safeParse(raw);
  if (!parsed.success) return null;
  const record = parsed.data;
  return {
    provider: record.provider,
    assistantId: record.assistantId ?? null,
    squadId: record.squadId ?? null,
    workflowId: record.workflowId ?? null,
    name: record.name ?? null,
    fallbackDestination: record.fallbackDestination ?? null,
    smsEnabled: record.smsEnabled ?? null,
  };
}

/** The one agent a Vapi slot can hold, or null to clear it. Anything else is a caller's bug. */
function singleAgent(slot: string, agents: WriteSlotAgent[]): WriteSlotAgent | null {
  if (agents.length > 1) throw new Error(`Vapi holds one agent per ${slot} slot; got ${agents.length}`);
  const agent = agents[0];
  if (!agent) return null;
  if (agent.version !== undefined && agent.version !== null) throw new Error('Vapi numbers take no agent version pin');
  if (agent.kind !== 'assistant' && agent.kind !== 'squad') throw new Error(`a Vapi number is answered by an assistant or a squad, not a ${agent.kind}`);
  return agent;
}

/**
 * The handler fields that make `agent` the number's only call handler (none when null): its own
 * field when it does not already hold it, and null for each other handler the number holds, so an
 * old squad never outlives a new assistant. Vapi keeps at most one of the three.
 */
function handlerFields(agent: WriteSlotAgent | null, held: HeldFields): PhoneNumberPatch {
  const own: HandlerField | null = agent === null ? null : agent.kind === 'assistant' ? 'assistantId' : 'squadId';
  const patch: PhoneNumberPatch = {};
  if (agent !== null && own !== null && held[own] !== agent.agentId) patch[own] = agent.agentId;
  for (const field of HANDLER_FIELDS) {
    if (field !== own && held[field] !== null) patch[field] = null;
  }
  return patch;
}

function smsFields(agent: WriteSlotAgent | null, inbound: WriteSlotAgent | null | undefined, held: HeldFields): PhoneNumberPatch {
  if (held.provider !== 'twilio') {
    if (agent === null) return {};
    throw new Error(`Vapi routes texts only on numbers imported from Twilio; this one is a ${held.provider} number`);
  }
  const smsOn = held.smsEnabled !== false;
  if (agent === null) return smsOn ? { smsEnabled: false } : {};
  // Texts go to the number's call handler: an SMS agent is that handler.
  if (inbound !== undefined && inbound?.agentId !== agent.agentId) throw new Error('on Vapi the sms agent is the inbound agent; both must name the same agent');
  return { ...(inbound === undefined ? handlerFields(agent, held) : {}), ...(smsOn ? {} : { smsEnabled: true }) };
}

/**
 * The one PATCH body that sets the requested slots: only the fields whose value changes, null
 * only for a field the number holds, and the number's own `provider` beside them (below). Empty
 * when nothing needs to change.
 */
export function slotPatch(slots: SlotWrite, held: HeldFields): PhoneNumberPatch {
  if (slots.outbound !== undefined) throw new Error('Vapi numbers have no outbound slot: Vapi picks the assistant per call');
  const inbound = slots.inbound === undefined ? undefined : singleAgent('inbound', slots.inbound);
  const sms = slots.sms === undefined ? undefined : singleAgent('sms', slots.sms);
  const patch: PhoneNumberPatch = {
    ...(inbound === undefined ? {} : handlerFields(inbound, held)),
    ...(sms === undefined ? {} : smsFields(sms, inbound, held)),
  };
  return withProvider(patch, held);
}

/**
 * Adds the number's own `provider` to a non-empty patch: the discriminator that picks the update
 * DTO. The spec does not mark it required, but the official SDK refuses an update body without it.
 */
function withProvider(patch: PhoneNumberPatch, held: HeldFields): PhoneNumberPatch {
  if (Object.keys(patch).length > 0 && PHONE_PROVIDERS.has(held.provider)) patch.provider = held.provider;
  return patch;
}

/**
 * The one PATCH body that sets the label (`name`, at most 40 characters at Vapi) and/or the
 * fallback (`fallbackDestination`, a number destination). As for slots, only what changes is sent,
 * and null only clears a name or fallback the number has.
 */
export function settingsPatch(settings: SettingsWrite, held: HeldFields): PhoneNumberPatch {
  const patch: PhoneNumberPatch = {};
  const { label, fallback } = settings;
  if (label === null) {
    if (held.name !== null) patch.name = null;
  } else if (label !== undefined && label !== held.name) {
    patch.name = label;
  }
  if (fallback === null) {
    if (held.fallbackDestination !== null) patch.fallbackDestination = null;
  } else if (fallback !== undefined) {
    const same = held.fallbackDestination?.type === 'number' && held.fallbackDestination.number === fallback;
    // A destination already pointing there keeps its extras (message, caller id) untouched.
    if (!same) patch.fallbackDestination = { type: 'number', number: fallback };
  }
  return withProvider(patch, held);
}

export interface BuyBody {
  provider: 'vapi';
  numberDesiredAreaCode?: string;
  name?: string;
}

/**
 * A free Vapi number. Vapi takes only a desired area code: an exact number, a toll-free number or
 * another country than the US cannot be asked for, so such a request is refused before sending.
 */
export function toBuyBody(request: PurchaseRequest): BuyBody {
  if (request.e164 !== undefined) throw new ProviderError('vapi', `cannot buy the exact number ${request.e164}: Vapi numbers are chosen by area code only`);
  if (request.tollFree) throw new ProviderError('vapi', 'has no toll-free numbers for sale');
  if (request.country !== undefined && request.country !== 'US') throw new ProviderError('vapi', `sells US numbers only, not ${request.country} numbers`);
  return {
    provider: 'vapi',
    ...(request.areaCode === undefined ? {} : { numberDesiredAreaCode: request.areaCode }),
    ...(request.label === undefined ? {} : { name: request.label }),
  };
}

export interface TwilioImportBody {
  provider: 'twilio';
  number: string;
  twilioAccountSid: string;
  twilioAuthToken?: string;
  twilioApiKey?: string;
  twilioApiSecret?: string;
  name?: string;
}

/** Vapi imports a Twilio number with the account's auth token, or an API key and its secret. */
export function toTwilioImportBody(e164: string, twilio: CarrierSource, label: string | undefined): TwilioImportBody {
  const credentials = twilio.authToken
    ? { twilioAuthToken: twilio.authToken }
    : twilio.apiKey && twilio.apiSecret
      ? { twilioApiKey: twilio.apiKey, twilioApiSecret: twilio.apiSecret }
      : null;
  if (!credentials) throw new ProviderError('vapi', `importing ${e164} needs the Twilio account's auth token, or an API key and its secret`);
  return { provider: 'twilio', number: e164, twilioAccountSid: twilio.accountSid, ...credentials, ...(label === undefined ? {} : { name: label }) };
}
