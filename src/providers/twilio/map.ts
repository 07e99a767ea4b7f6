import { emptySlots, type RemoteAgent, type RemoteNumber, type SkippedRecord, type SlotAgent } from '../../domain/model.js';
import { describeIssue } from '../schema-issue.js';
import { applicationSchema, incomingNumberSchema, type IncomingNumberFields } from './schema.js';

/**
 * Twilio records → voicenum's provider-neutral shapes. A Twilio number routes calls to one target
 * (an Elastic SIP trunk beats a TwiML app, as at Twilio) and texts to one TwiML app; it has no
 * outbound setting. Twilio writes "no app" as an empty string, so empty means none here.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; skipped: SkippedRecord };

/** The SDK instance's fields voicenum reads, as a plain object (instances carry SDK internals). */
function numberFields(instance: object): Record<string, unknown> {
  const record = instance as Record<string, unknown>;
  const pick = ['sid', 'phoneNumber', 'friendlyName', 'status', 'origin', 'capabilities', 'voiceFallbackUrl', 'voiceUrl', 'trunkSid', 'voiceApplicationSid', 'smsApplicationSid'];
  return Object.fromEntries(pick.map((key) => [key, record[key]]));
}

/** A 2010 number record as Twilio sends it, under the names the SDK's instance gives its fields. */
export function numberFromWire(record: Record<string, unknown>): Record<string, unknown> {
  return {
    sid: record.sid,
    phoneNumber: record.phone_number,
    friendlyName: record.friendly_name,
    status: record.status,
    origin: record.origin,
    capabilities: record.capabilities,
    voiceFallbackUrl: record.voice_fallback_url,
    voiceUrl: record.voice_url,
    trunkSid: record.trunk_sid,
    voiceApplicationSid: record.voice_application_sid,
    smsApplicationSid: record.sms_application_sid,
  };
}

/** A 2010 application record as Twilio sends it, under the SDK's names. */
export function applicationFromWire(record: Record<string, unknown>): Record<string, unknown> {
  return { sid: record.sid, friendlyName: record.friendly_name };
}

function recordId(fields: Record<string, unknown>, ...keys: string[]): string {
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return '(no id)';
}

export function checkNumber(instance: object): Checked<IncomingNumberFields> {
  const fields = numberFields(instance);
  const parsed = incomingNumberSchema.safeParse(fields);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, skipped: { provider: 'twilio', kind: 'number', id: recordId(fields, 'sid', 'phoneNumber'), reason: describeIssue(parsed.error) } };
}

const present = (value: string | null | undefined): string | null => (value === undefined || value === null || value === '' ? null : value);

const single = (agentId: string | null): SlotAgent[] => (agentId === null ? [] : [{ agentId, weight: 1 }]);

/** The agent that answers calls: the trunk when there is one, else the voice application. */
export function inboundTarget(fields: IncomingNumberFields): string | null {
  return present(fields.trunkSid) ?? present(fields.voiceApplicationSid);
}

export function toRemoteNumber(fields: IncomingNumberFields, region: string | null): RemoteNumber {
  const slots = emptySlots();
  slots.inbound = single(inboundTarget(fields));
  slots.sms = single(present(fields.smsApplicationSid));
  return {
    provider: 'twilio',
    providerId: fields.sid,
    e164: fields.phoneNumber,
    label: present(fields.friendlyName),
    status: present(fields.status),
    capabilities: { voice: fields.capabilities?.voice ?? null, sms: fields.capabilities?.sms ?? null },
    region,
    fallback: present(fields.voiceFallbackUrl),
    origin: present(fields.origin),
    voiceUrl: present(fields.voiceUrl),
    slots,
  };
}

export function toApplicationAgent(instance: object): Checked<RemoteAgent> {
  const record = instance as Record<string, unknown>;
  const fields = { sid: record.sid, friendlyName: record.friendlyName };
  const parsed = applicationSchema.safeParse(fields);
  if (!parsed.success) {
    return { ok: false, skipped: { provider: 'twilio', kind: 'agent', id: recordId(fields, 'sid', 'friendlyName'), reason: describeIssue(parsed.error) } };
  }
  const { sid, friendlyName } = parsed.data;
  return { ok: true, value: { provider: 'twilio', id: sid, name: present(friendlyName) ?? sid, kind: 'twiml-app', live: null } };
}

/**
 * Elastic SIP trunks, known only from the numbers that point at them (the Trunking API is not
 * read): one agent per distinct trunk sid, named by its sid.
 */
export function trunkAgents(numbers: RemoteNumber[]): RemoteAgent[] {
  const sids = new Set<string>();
  for (const number of numbers) {
    const target = number.slots.inbound[0]?.agentId;
    if (target?.startsWith('TK')) sids.add(target);
  }
  return [...sids].map((sid) => ({ provider: 'twilio', id: sid, name: sid, kind: 'sip-trunk', live: null }));
}
