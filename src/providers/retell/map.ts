import type { RemoteAgent, RemoteNumber, SlotAgent } from '../../domain/model.js';
import { versionText } from '../../domain/field-values.js';
import type { PurchaseRequest, SettingsWrite, SipTrunkAccess, SlotWrite, WriteSlotAgent } from '../types.js';
import type { AgentWeightWire, AgentWire, PhoneNumberWire } from './schema.js';

/** Retell keeps no status or capabilities on a number; the Twilio carrier record supplies them. */
export function toRemoteNumber(number: PhoneNumberWire): RemoteNumber {
  return {
    provider: 'retell',
    providerId: number.phone_number,
    e164: number.phone_number,
    label: number.nickname ?? null,
    status: null,
    capabilities: { voice: null, sms: null },
    region: null,
    fallback: number.fallback_number ?? null,
    origin: number.phone_number_type ?? null,
    slots: {
      inbound: toSlotAgents(number.inbound_agents),
      outbound: toSlotAgents(number.outbound_agents),
      // voicenum's sms slot stands for both SMS lists; when they differ upstream, inbound wins.
      sms: toSlotAgents(number.inbound_sms_agents),
    },
  };
}

function toSlotAgents(list: AgentWeightWire[] | null | undefined): SlotAgent[] {
  return (list ?? []).map((entry) => ({
    agentId: entry.agent_id,
    weight: entry.weight,
    version: versionText(entry.agent_version),
  }));
}

export function toRemoteAgent(agent: AgentWire, live: boolean | null): RemoteAgent {
  return {
    provider: 'retell',
    id: agent.agent_id,
    // An unnamed agent is still addressable; its id is the only name it has.
    name: agent.agent_name ?? agent.agent_id,
    kind: agent.channel,
    live,
  };
}

export interface AgentWeightBody {
  agent_id: string;
  agent_version?: number | string;
  weight: number;
}

export type UpdateBody = Partial<Record<'inbound_agents' | 'outbound_agents' | 'inbound_sms_agents' | 'outbound_sms_agents', AgentWeightBody[] | null>>;

/**
 * The PATCH body for a slot write. Only the weighted lists are ever sent: Retell removed the
 * single-agent fields. The sms slot writes both SMS lists with the same agents.
 */
export function toUpdateBody(slots: SlotWrite): UpdateBody {
  const body: UpdateBody = {};
  for (const [slot, agents] of Object.entries(slots)) {
    if (agents === undefined) continue;
    const list = toWeightList(agents);
    if (slot === 'inbound') body.inbound_agents = list;
    else if (slot === 'outbound') body.outbound_agents = list;
    else if (slot === 'sms') {
      body.inbound_sms_agents = list;
      body.outbound_sms_agents = list === null ? null : list.map((entry) => ({ ...entry }));
    } else {
      throw new Error(`retell adapter: unknown slot "${slot}"`);
    }
  }
  return body;
}

/** An empty list clears the slot; Retell documents null for that. */
function toWeightList(agents: WriteSlotAgent[]): AgentWeightBody[] | null {
  if (agents.length === 0) return null;
  return agents.map((agent) => {
    const version = toWireVersion(agent.version);
    return { agent_id: agent.agentId, ...(version === undefined ? {} : { agent_version: version }), weight: agent.weight };
  });
}

/**
 * Version pins travel as integers when they are numbers, else as tags (`latest_published`, ...).
 * A number past 2^53 − 1 would go out rounded to another version: that is a caller's bug (the
 * command line refuses such a pin), never something to send.
 */
function toWireVersion(version: string | null | undefined): number | string | undefined {
  if (version === undefined || version === null || version === '') return undefined;
  if (!/^\d+$/.test(version)) return version;
  const number = Number(version);
  if (!Number.isSafeInteger(number)) throw new Error(`retell adapter: version ${version} cannot be sent exactly as a JSON integer`);
  return number;
}

export type SettingsBody = { nickname?: string | null; fallback_number?: string | null };

/**
 * The PATCH body for a label/fallback write: `nickname` and `fallback_number`, only those asked
 * for. null goes through as null, which Retell documents as removing the value.
 */
export function toSettingsBody(settings: SettingsWrite): SettingsBody {
  const body: SettingsBody = {};
  if (settings.label !== undefined) body.nickname = settings.label;
  if (settings.fallback !== undefined) body.fallback_number = settings.fallback;
  return body;
}

export interface CreateBody {
  area_code?: number;
  country_code?: 'US' | 'CA';
  toll_free?: boolean;
  phone_number?: string;
  nickname?: string;
}

/** `POST /create-phone-number`: only what was asked; `area_code` travels as an integer. */
export function toCreateBody(request: PurchaseRequest): CreateBody {
  const body: CreateBody = {};
  if (request.areaCode !== undefined) {
    if (!/^\d{3}$/.test(request.areaCode)) throw new Error(`retell adapter: area code ${JSON.stringify(request.areaCode)} is not three digits`);
    body.area_code = Number(request.areaCode);
  }
  if (request.country !== undefined) body.country_code = request.country;
  if (request.tollFree !== undefined) body.toll_free = request.tollFree;
  if (request.e164 !== undefined) body.phone_number = request.e164;
  if (request.label !== undefined) body.nickname = request.label;
  return body;
}

export interface ImportBody {
  phone_number: string;
  termination_uri: string;
  sip_trunk_auth_username: string;
  sip_trunk_auth_password: string;
  nickname?: string;
}

/** `POST /import-phone-number` for a number reached over an elastic SIP trunk. */
export function toImportBody(e164: string, trunk: SipTrunkAccess, label: string | undefined): ImportBody {
  return {
    phone_number: e164,
    termination_uri: trunk.terminationUri,
    sip_trunk_auth_username: trunk.username,
    sip_trunk_auth_password: trunk.password,
    ...(label === undefined ? {} : { nickname: label }),
  };
}
