import type { RemoteAgent, RemoteNumber, SlotAgent } from '../../domain/model.js';
import type { NumberRecord } from './schema.js';

/** What voicenum calls the three things that can answer a Bland number. */
export type BlandKind = 'agent' | 'pathway' | 'persona';

/** Who answers a number, as far as the record and the persona bindings tell. */
export interface InboundHolder {
  kind: BlandKind;
  id: string;
}

/**
 * The number's inbound holder. A persona wins over `pathway_id`: attaching replaces the pathway,
 * and a pathway written while a persona is attached does not route until the persona is detached.
 * A persona that belongs to a v2 agent stands for that agent; otherwise it is a v1 persona.
 */
export function inboundHolder(record: NumberRecord, agentOfPersona: ReadonlyMap<string, string>): InboundHolder | null {
  if (record.persona_id) {
    const agentId = agentOfPersona.get(record.persona_id);
    return agentId ? { kind: 'agent', id: agentId } : { kind: 'persona', id: record.persona_id };
  }
  if (record.pathway_id) return { kind: 'pathway', id: record.pathway_id };
  return null;
}

/** A Bland slot holds one agent or none. */
export function singleSlot(agentId: string | null | undefined): SlotAgent[] {
  return agentId ? [{ agentId, weight: 1 }] : [];
}

/**
 * Bland numbers report no status, capabilities or region, and `transfer_phone_number` is a
 * mid-call transfer, not a fallback. Nor does a record say whether it came from a customer's Twilio
 * account (only a request carrying that account's `encrypted_key` filters by it), so origin is null;
 * the Twilio carrier record, where there is one, is joined by E.164 instead.
 */
export function toRemoteNumber(record: NumberRecord, holder: InboundHolder | null, smsPathwayId: string | null): RemoteNumber {
  return {
    provider: 'bland',
    providerId: record.phone_number,
    e164: record.phone_number,
    label: record.label ?? null,
    status: null,
    capabilities: { voice: null, sms: null },
    region: null,
    fallback: null,
    origin: null,
    slots: { inbound: singleSlot(holder?.id), outbound: [], sms: singleSlot(smsPathwayId) },
  };
}

export function v2Agent(id: string, name: string, hasProductionPin: boolean | null): RemoteAgent {
  return { provider: 'bland', id, name, kind: 'agent', live: hasProductionPin };
}

/** Pathways have versions but no draft/production split on the list; a listed pathway counts as live. */
export function pathwayAgent(id: string, name: string): RemoteAgent {
  return { provider: 'bland', id, name, kind: 'pathway', live: true };
}

export function personaAgent(id: string, name: string, hasProductionVersion: boolean): RemoteAgent {
  return { provider: 'bland', id, name, kind: 'persona', live: hasProductionVersion };
}
