import type { ProviderName, Region } from '../domain/model.js';

/**
 * The sandbox's believable account, described once in provider-neutral terms. Each fake turns
 * this plan into its own wire-format state, so cross-provider facts (a Twilio number imported into
 * Retell, agent names that clash across platforms) stay consistent. Deterministic for a given size.
 */

export interface SeedAgent {
  provider: ProviderName;
  id: string;
  name: string;
  /** retell: voice|chat; vapi: assistant|squad; bland: agent|pathway; twilio: twiml-app|sip-trunk; elevenlabs: agent */
  kind: string;
  /** Published / has a production version. */
  live: boolean;
}

export interface SeedSlotAgent {
  agentId: string;
  weight: number;
  version?: string | number;
}

export interface SeedNumber {
  provider: ProviderName;
  /** Vapi UUID, Twilio PN sid, ElevenLabs phone_number_id; the E.164 itself at Retell and Bland. */
  id: string;
  e164: string;
  label: string;
  /** The number came from the sandbox's Twilio account; that account then holds its carrier record. */
  importedFromTwilio: boolean;
  /** Vapi only: active | activating | blocked. */
  status?: 'active' | 'activating' | 'blocked';
  /** Twilio records: capability flags. */
  voiceCapable: boolean;
  smsCapable: boolean;
  /** Twilio records: inbound processing region. */
  region?: Region;
  fallback: string | null;
  slots: { inbound: SeedSlotAgent[]; outbound: SeedSlotAgent[]; sms: SeedSlotAgent[] };
  /**
   * Twilio records, for the doctor's cases: `import-trunk` routes it to the sandbox's import trunk
   * although no platform holds it; `own-slots` routes it by its own slots although a platform
   * imported it. Unset: the routing an import leaves, or its own slots.
   */
  carrierRouting?: 'import-trunk' | 'own-slots';
  /** Twilio records: Routes v2 has no region for it (the doctor's missing-region case). */
  regionUnknown?: boolean;
}

export interface SeedPlan {
  twilioAccountSid: string;
  agents: SeedAgent[];
  numbers: SeedNumber[];
}

/** The size the sandbox starts with when no size is asked for. */
export const DEFAULT_SEED_NUMBERS = 40;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(random() * 16).toString(16);
  return out;
}

function uuid(random: () => number): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const US_AREA_CODES = ['415', '212', '312', '646', '702', '206', '617', '303', '512', '404'];

/** The n-th sandbox number: US numbers mostly, some Irish and Australian ones for the regions. */
function numberAt(index: number, region: Region): string {
  if (region === 'ie1') return `+3531${String(5550000 + index).padStart(7, '0')}`;
  if (region === 'au1') return `+612${String(55500000 + index).padStart(8, '0')}`;
  const area = US_AREA_CODES[index % US_AREA_CODES.length]!;
  const rest = Math.floor(index / US_AREA_CODES.length);
  const exchange = 200 + Math.floor(rest / 10000);
  return `+1${area}${exchange}${String(rest % 10000).padStart(4, '0')}`;
}

const one = (agentId: string): SeedSlotAgent[] => [{ agentId, weight: 1 }];

export function buildSeedPlan(totalNumbers: number = DEFAULT_SEED_NUMBERS): SeedPlan {
  const random = prng(20261121);
  const agents: SeedAgent[] = [];
  const agent = (provider: ProviderName, id: string, name: string, kind: string, live = true) => {
    agents.push({ provider, id, name, kind, live });
    return id;
  };
  const retellId = () => `agent_${hex(random, 26)}`;

  // Retell: receptionist/sales/support are published voice agents, after-hours is draft only,
  // sms-concierge is a chat agent (the SMS kind).
  const retell = {
    receptionist: agent('retell', retellId(), 'receptionist', 'voice'),
    sales: agent('retell', retellId(), 'sales', 'voice'),
    support: agent('retell', retellId(), 'support', 'voice'),
    afterHours: agent('retell', retellId(), 'after-hours', 'voice', false),
    sms: agent('retell', retellId(), 'sms-concierge', 'chat'),
    outbound: agent('retell', retellId(), 'outbound-dialer', 'voice'),
  };
  // Vapi: a receptionist too (clashes with Retell's), two assistants both named "survey"
  // (ambiguous by name), and a squad.
  const vapi = {
    receptionist: agent('vapi', uuid(random), 'receptionist', 'assistant'),
    booking: agent('vapi', uuid(random), 'booking', 'assistant'),
    survey1: agent('vapi', uuid(random), 'survey', 'assistant'),
    survey2: agent('vapi', uuid(random), 'survey', 'assistant'),
    squad: agent('vapi', uuid(random), 'front-desk', 'squad'),
  };
  // Bland: v2 agents (one without a production version) and pathways.
  const bland = {
    receptionist: agent('bland', uuid(random), 'receptionist', 'agent'),
    collections: agent('bland', uuid(random), 'collections', 'agent'),
    draft: agent('bland', uuid(random), 'renewals-beta', 'agent', false),
    intake: agent('bland', uuid(random), 'intake-flow', 'pathway'),
    smsFollowup: agent('bland', uuid(random), 'sms-followup', 'pathway'),
  };
  // Twilio: TwiML applications are its "agents".
  const twilio = {
    ivr: agent('twilio', `AP${hex(random, 32)}`, 'main-ivr', 'twiml-app'),
    smsBot: agent('twilio', `AP${hex(random, 32)}`, 'sms-bot', 'twiml-app'),
    receptionist: agent('twilio', `AP${hex(random, 32)}`, 'receptionist', 'twiml-app'),
  };

  const numbers: SeedNumber[] = [];
  let index = 0;
  const twilioCarrier = (e164: string, label: string, region: Region, smsCapable: boolean): void => {
    numbers.push({ provider: 'twilio', id: `PN${hex(random, 32)}`, e164, label, importedFromTwilio: false, voiceCapable: true, smsCapable, region, fallback: null, slots: { inbound: [], outbound: [], sms: [] } });
  };

  // Share of the total per provider: Retell 30%, Vapi 22%, Bland 15%, Twilio-only 33%.
  const counts = {
    retell: Math.max(10, Math.round(totalNumbers * 0.3)),
    vapi: Math.max(8, Math.round(totalNumbers * 0.22)),
    bland: Math.max(6, Math.round(totalNumbers * 0.15)),
  };
  const twilioOnly = Math.max(6, totalNumbers - counts.retell - counts.vapi - counts.bland);

  for (let i = 0; i < counts.retell; i++) {
    const imported = i % 3 === 0;
    const region: Region = i === 0 ? 'us1' : i % 12 === 3 ? 'ie1' : 'us1';
    const e164 = numberAt(index++, region);
    const pattern = i % 6;
    const slots: SeedNumber['slots'] =
      pattern === 0 ? { inbound: one(retell.receptionist), outbound: one(retell.outbound), sms: one(retell.sms) }
      : pattern === 1 ? { inbound: [{ agentId: retell.sales, weight: 0.7 }, { agentId: retell.support, weight: 0.3 }], outbound: [], sms: [] }
      : pattern === 2 ? { inbound: [{ agentId: retell.support, weight: 1, version: 2 }], outbound: one(retell.sales), sms: [] }
      : pattern === 3 ? { inbound: [], outbound: [], sms: [] }
      : pattern === 4 ? { inbound: one(retell.receptionist), outbound: [], sms: [] }
      : { inbound: [], outbound: one(retell.outbound), sms: [] };
    numbers.push({ provider: 'retell', id: e164, e164, label: `retell line ${i + 1}`, importedFromTwilio: imported, voiceCapable: true, smsCapable: true, fallback: i === 1 ? numberAt(90000, 'us1') : null, slots });
    // An imported number's carrier record: the number without SMS is one of these.
    if (imported) twilioCarrier(e164, `imported to retell ${i + 1}`, region, i !== 3);
  }

  for (let i = 0; i < counts.vapi; i++) {
    const imported = i % 3 === 1;
    const e164 = numberAt(index++, 'us1');
    const pattern = i % 5;
    const inbound = pattern === 0 ? one(vapi.receptionist) : pattern === 1 ? one(vapi.booking) : pattern === 2 ? one(vapi.squad) : pattern === 3 ? one(vapi.survey1) : [];
    const status = i === 2 ? 'blocked' : i === 4 ? 'activating' : 'active';
    // Vapi routes texts on imported Twilio numbers to the same assistant (smsEnabled).
    numbers.push({ provider: 'vapi', id: uuid(random), e164, label: `vapi ${i + 1}`, importedFromTwilio: imported, status, voiceCapable: true, smsCapable: imported, fallback: null, slots: { inbound, outbound: [], sms: imported ? inbound : [] } });
    if (imported) twilioCarrier(e164, `imported to vapi ${i + 1}`, 'us1', true);
  }

  for (let i = 0; i < counts.bland; i++) {
    const imported = i % 3 === 2;
    const e164 = numberAt(index++, 'us1');
    const pattern = i % 4;
    const inbound = pattern === 0 ? one(bland.receptionist) : pattern === 1 ? one(bland.intake) : pattern === 2 ? one(bland.collections) : [];
    const sms = pattern === 0 ? one(bland.smsFollowup) : [];
    numbers.push({ provider: 'bland', id: e164, e164, label: `bland ${i + 1}`, importedFromTwilio: imported, voiceCapable: true, smsCapable: true, fallback: null, slots: { inbound, outbound: [], sms } });
    if (imported) twilioCarrier(e164, `imported to bland ${i + 1}`, 'us1', true);
  }

  for (let i = 0; i < twilioOnly; i++) {
    const region: Region = i % 5 === 1 ? 'ie1' : i % 5 === 3 ? 'au1' : 'us1';
    const e164 = numberAt(index++, region);
    const pattern = i % 4;
    const smsCapable = i % 7 !== 5;
    const slots: SeedNumber['slots'] =
      pattern === 0 ? { inbound: one(twilio.ivr), outbound: [], sms: smsCapable ? one(twilio.smsBot) : [] }
      : pattern === 1 ? { inbound: one(twilio.receptionist), outbound: [], sms: [] }
      : pattern === 2 ? { inbound: [], outbound: [], sms: smsCapable ? one(twilio.smsBot) : [] }
      : { inbound: [], outbound: [], sms: [] };
    numbers.push({ provider: 'twilio', id: `PN${hex(random, 32)}`, e164, label: `twilio ${i + 1}`, importedFromTwilio: false, voiceCapable: true, smsCapable, region, fallback: null, slots });
  }

  // ElevenLabs Agents: a fixed handful, after everything else and from a generator of its own, so
  // the numbers and ids of the block above stay as they were. A receptionist (its name clashes with
  // the other platforms'), Twilio imports (each with its carrier record, one in ie1: its region
  // comes from the carrier) and SIP-trunk numbers, assigned and not.
  const elevenRandom = prng(20261128);
  const elevenId = (length: number) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    while (out.length < length) out += alphabet[Math.floor(elevenRandom() * alphabet.length)];
    return out;
  };
  const eleven = {
    receptionist: agent('elevenlabs', elevenId(20), 'receptionist', 'agent'),
    scheduler: agent('elevenlabs', elevenId(20), 'appointment-setter', 'agent'),
    support: agent('elevenlabs', elevenId(20), 'support-desk', 'agent'),
    multilingual: agent('elevenlabs', elevenId(20), 'concierge-multilingual', 'agent'),
  };
  const elevenNumbers: { imported: boolean; region: Region; inbound: string | null }[] = [
    { imported: true, region: 'us1', inbound: eleven.receptionist },
    { imported: true, region: 'ie1', inbound: eleven.scheduler },
    { imported: true, region: 'us1', inbound: null },
    { imported: false, region: 'us1', inbound: eleven.support },
    { imported: false, region: 'us1', inbound: null },
    { imported: true, region: 'us1', inbound: eleven.multilingual },
  ];
  for (const [i, entry] of elevenNumbers.entries()) {
    const e164 = numberAt(index++, entry.region);
    const id = `phnum_${elevenId(24)}`;
    const inbound = entry.inbound ? one(entry.inbound) : [];
    numbers.push({ provider: 'elevenlabs', id, e164, label: `elevenlabs ${i + 1}`, importedFromTwilio: entry.imported, voiceCapable: true, smsCapable: entry.imported, fallback: null, slots: { inbound, outbound: [], sms: [] } });
    if (entry.imported) {
      numbers.push({ provider: 'twilio', id: `PN${hex(elevenRandom, 32)}`, e164, label: `imported to elevenlabs ${i + 1}`, importedFromTwilio: false, voiceCapable: true, smsCapable: true, region: entry.region, fallback: null, slots: { inbound: [], outbound: [], sms: [] } });
    }
  }

  // --- doctor: one case of each number and agent check (voicenum doctor), added after the numbers
  // above so theirs do not change. Each case is a number of its own.
  const doctorCase = (provider: ProviderName, label: string, slots: Partial<SeedNumber['slots']>, extra: Partial<SeedNumber> = {}): SeedNumber => {
    const e164 = numberAt(index++, 'us1');
    const number: SeedNumber = { provider, id: provider === 'twilio' ? `PN${hex(random, 32)}` : e164, e164, label, importedFromTwilio: false, voiceCapable: true, smsCapable: true, fallback: null, slots: { inbound: [], outbound: [], sms: [], ...slots }, ...extra };
    numbers.push(number);
    return number;
  };
  const carrierRecordOf = (number: SeedNumber, extra: Partial<SeedNumber> = {}) =>
    numbers.push({ provider: 'twilio', id: `PN${hex(random, 32)}`, e164: number.e164, label: `carrier of ${number.label}`, importedFromTwilio: false, voiceCapable: true, smsCapable: true, region: 'us1', fallback: null, slots: { inbound: [], outbound: [], sms: [] }, ...extra });
  // Retell: a deleted agent, a draft agent, texts on a number that cannot text, calls on one that
  // cannot call, a fallback to itself, and an import whose Twilio routing points at an application.
  const deletedAgent = `agent_${hex(random, 26)}`;
  doctorCase('retell', 'doctor deleted agent', { inbound: one(deletedAgent) });
  doctorCase('retell', 'doctor draft agent', { inbound: one(retell.afterHours) });
  carrierRecordOf(doctorCase('retell', 'doctor sms without capability', { inbound: one(retell.receptionist), sms: one(retell.sms) }, { importedFromTwilio: true }), { smsCapable: false });
  carrierRecordOf(doctorCase('retell', 'doctor voice without capability', { inbound: one(retell.receptionist) }, { importedFromTwilio: true }), { voiceCapable: false });
  const selfFallback = doctorCase('retell', 'doctor fallback to itself', { inbound: one(retell.receptionist) });
  selfFallback.fallback = selfFallback.e164;
  carrierRecordOf(doctorCase('retell', 'doctor routed elsewhere', { inbound: one(retell.receptionist) }, { importedFromTwilio: true }), { carrierRouting: 'own-slots', slots: { inbound: one(twilio.ivr), outbound: [], sms: [] } });
  // Twilio: a number on the import trunk that no platform holds, and one without a region.
  doctorCase('twilio', 'doctor trunk without platform', {}, { region: 'us1', carrierRouting: 'import-trunk' });
  doctorCase('twilio', 'doctor no region', { inbound: one(twilio.ivr) }, { region: 'us1', regionUnknown: true });

  return { twilioAccountSid: `AC${hex(prng(7), 32)}`, agents, numbers };
}
