import type { z } from 'zod';
import { AuthError, PartialWriteError, ProviderError } from '../../domain/errors.js';
import type { ProviderSnapshot, RemoteAgent, RemoteNumber, SkippedRecord, SlotMap } from '../../domain/model.js';
import { isStrictE164 } from '../../domain/phone.js';
import { forEachConcurrently, mapConcurrently } from '../../util/concurrency.js';
import { createOnce } from '../create-once.js';
import { HttpClient } from '../http.js';
import { describeIssue } from '../schema-issue.js';
import type { AdapterSettings, FetchOptions, LifecycleCapability, NumberKey, ProviderAdapter, PurchaseRequest, SettingsWrite, SlotWrite, CarrierSource, WriteSlotAgent } from '../types.js';
import { inboundHolder, pathwayAgent, personaAgent, singleSlot, toRemoteNumber, v2Agent, type BlandKind, type InboundHolder } from './map.js';
import * as wire from './schema.js';

export interface BlandAdapterSettings extends AdapterSettings {
  apiKey: string;
  /** Per-agent reads (environments, number bindings) run this many at a time. */
  concurrency?: number;
}

const PROVIDER = 'bland';
/** `GET /v2/agents` takes `limit` up to 500 and has no cursor: one request reads the whole list. */
export const BLAND_AGENT_LIMIT = 500;
const DEFAULT_CONCURRENCY = 8;

/** One upstream change and how to take it back if a later change of the same write fails. */
interface Step {
  describe: string;
  /** What to set back by hand if neither the step's own undo works. */
  fix: string;
  run(): Promise<void>;
  undo(): Promise<void>;
}

export function createBlandAdapter(settings: BlandAdapterSettings): ProviderAdapter {
  return new BlandAdapter(settings);
}

class BlandAdapter implements ProviderAdapter {
  readonly name = 'bland' as const;
  private readonly http: HttpClient;
  private readonly concurrency: number;
  /** Bland keeps a v2 agent's persona for good, so what was learned once stays true. */
  private readonly agentOfPersona = new Map<string, string>();
  private readonly kinds = new Map<string, BlandKind>();

  constructor(settings: BlandAdapterSettings) {
    this.concurrency = Math.max(1, settings.concurrency ?? DEFAULT_CONCURRENCY);
    this.http = new HttpClient({
      ...settings.http,
      provider: PROVIDER,
      baseUrl: settings.baseUrl,
      // The raw key, no `Bearer`: Bland treats `Bearer <key>` as a wrong key.
      headers: { authorization: settings.apiKey },
      secrets: [settings.apiKey],
      errorMessage: wire.blandErrorMessage,
      authHint: 'set BLAND_API_KEY (or run `voicenum auth login bland`) to a valid Bland API key',
    });
  }

  get requestCount(): number {
    return this.http.requestCount;
  }

  /**
   * Buy (`POST /v1/inbound/purchase`), bring a number of the customer's own Twilio account
   * (`POST /v1/accounts` for the account's `encrypted_key`, then `POST /v1/inbound/insert` with it)
   * and delete (`POST /v1/inbound/{n}/delete`). Neither create takes a label: one given is set with
   * a second call, and if that fails the number is kept and a PartialWriteError says so.
   */
  readonly lifecycle: LifecycleCapability = {
    buy: (request) => this.buy(request),
    importFromCarrier: (request) => this.importFromCarrier(request),
    release: (key, options) => this.release(key, options?.source),
  };

  /** The encrypted_key minted for each Twilio account this run (Bland shows a key only once). */
  private readonly encryptedKeys = new Map<string, Promise<string>>();

  private async buy(request: PurchaseRequest): Promise<RemoteNumber> {
    if (request.tollFree) throw new ProviderError(PROVIDER, 'sells no toll-free numbers through its API');
    const body: Record<string, string> = {};
    if (request.areaCode !== undefined) body.area_code = request.areaCode;
    if (request.country !== undefined) body.country_code = request.country;
    if (request.e164 !== undefined) body.phone_number = request.e164;
    const create = async () => {
      const answer = wire.purchaseAnswer.safeParse((await this.http.request({ method: 'POST', path: '/v1/inbound/purchase', json: body, retry: 'unprocessed' })).data);
      if (!answer.success || !isStrictE164(answer.data.phone_number)) throw new ProviderError(PROVIDER, 'POST /v1/inbound/purchase answered without the E.164 phone_number it bought', { status: 200 });
      return answer.data.phone_number;
    };
    const find = request.e164 === undefined ? undefined : () => this.exists(request.e164!, undefined);
    const e164 = await createOnce(PROVIDER, request.e164 ? `the number ${request.e164}` : 'a number', create, find);
    return this.labelled(e164, request.label, 'bought');
  }

  private async importFromCarrier(request: { e164: string; label?: string; source: CarrierSource }): Promise<RemoteNumber> {
    const key = await this.encryptedKey(request.source);
    const create = async () => {
      const answer = wire.insertAnswer.safeParse(
        (await this.http.request({ method: 'POST', path: '/v1/inbound/insert', headers: { encrypted_key: key }, json: { numbers: [request.e164] }, retry: 'unprocessed', secrets: [key] })).data,
      );
      const inserted = answer.success ? (answer.data.inserted ?? []) : [];
      // A number Bland could not take is left out of `inserted`, with a 2xx all the same.
      if (!inserted.includes(request.e164)) {
        const said = answer.success && answer.data.message ? `: ${answer.data.message}` : '';
        throw new ProviderError(PROVIDER, `did not take ${request.e164} from Twilio account ${request.source.accountSid}${said}`, { status: 200 });
      }
      return request.e164;
    };
    const e164 = await createOnce(PROVIDER, `the import of ${request.e164}`, create, () => this.exists(request.e164, key));
    return this.labelled(e164, request.label, 'imported', key);
  }

  private async release(key: NumberKey, twilio: CarrierSource | undefined): Promise<void> {
    // A number of the customer's own Twilio account is deleted with that account's key (documented as required).
    const headers = twilio ? { encrypted_key: await this.encryptedKey(twilio) } : undefined;
    // Already gone: an undo or a resumed release running again.
    await this.http.removeIfPresent({ method: 'POST', path: `/v1/inbound/${encodeURIComponent(key.e164)}/delete`, headers, secrets: headers ? [headers.encrypted_key] : [] });
  }

  /**
   * The account's `encrypted_key` (`POST /v1/accounts` with the SID and auth token). Bland documents
   * only the auth token here, so an API key cannot stand in for it.
   */
  private encryptedKey(twilio: CarrierSource): Promise<string> {
    let key = this.encryptedKeys.get(twilio.accountSid);
    if (!key) {
      key = this.mintEncryptedKey(twilio);
      this.encryptedKeys.set(twilio.accountSid, key);
      key.catch(() => this.encryptedKeys.delete(twilio.accountSid));
    }
    return key;
  }

  private async mintEncryptedKey(twilio: CarrierSource): Promise<string> {
    if (!twilio.authToken) throw new ProviderError(PROVIDER, `bringing numbers of Twilio account ${twilio.accountSid} needs its auth token: Bland's encrypted_key is made from the account SID and auth token only`);
    const response = await this.http.request({ method: 'POST', path: '/v1/accounts', json: { account_sid: twilio.accountSid, auth_token: twilio.authToken }, secrets: [twilio.authToken] });
    const answer = wire.encryptedKeyAnswer.safeParse(response.data);
    if (!answer.success) throw new ProviderError(PROVIDER, 'POST /v1/accounts answered without an encrypted_key');
    return answer.data.encrypted_key;
  }

  /** Whether Bland holds the number now (with `key`: among that Twilio account's numbers); its E.164 or null. */
  private async exists(e164: string, key: string | undefined): Promise<string | null> {
    const body = (await this.http.request({ method: 'GET', path: '/v1/inbound', headers: key ? { encrypted_key: key } : undefined, secrets: key ? [key] : [] })).data;
    const numbers = page(wire.numberList, body, 'GET /v1/inbound', 'an inbound_numbers list').inbound_numbers;
    return numbers.some((item) => wire.numberRecord.safeParse(item).data?.phone_number === e164) ? e164 : null;
  }

  /** The new number's record, its label set first when one was asked for. */
  private async labelled(e164: string, label: string | undefined, how: 'bought' | 'imported', key?: string): Promise<RemoteNumber> {
    const fresh = toRemoteNumber({ phone_number: e164 }, null, null);
    if (label === undefined) return fresh;
    try {
      // A number of the customer's Twilio account is changed with that account's key.
      await this.http.request({ method: 'POST', path: `/v1/inbound/${encodeURIComponent(e164)}`, headers: key ? { encrypted_key: key } : undefined, json: { label }, secrets: key ? [key] : [] });
      return { ...fresh, label };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new PartialWriteError(
        PROVIDER,
        `${how} ${e164}, but setting its label failed (${reason})`,
        `Bland holds ${e164} without the label ${JSON.stringify(label)}; set it with \`voicenum numbers label ${e164} ${JSON.stringify(label)}\``,
        { status: error instanceof ProviderError ? error.status : null },
      );
    }
  }

  async verifyCredentials(): Promise<void> {
    await this.get('/v2/agents', { limit: 1 });
  }

  fetchAll(options: FetchOptions = {}): Promise<ProviderSnapshot> {
    // Reads only: cancellable, and the first failure stops the other reads' requests.
    return this.http.cancellableReads(options.signal, () => this.readAll(options));
  }

  private async readAll(options: FetchOptions): Promise<ProviderSnapshot> {
    const started = this.http.requestCount;
    const skipped: SkippedRecord[] = [];
    const [numberBody, agentBody, pathwayBody, sms] = await Promise.all([
      this.get('/v1/inbound'),
      this.get('/v2/agents', { limit: BLAND_AGENT_LIMIT }),
      this.get('/v1/pathway'),
      this.smsPathways(),
    ]);

    const records = this.numberRecords(page(wire.numberList, numberBody, 'GET /v1/inbound', 'an inbound_numbers list').inbound_numbers, skipped);
    const agentRecords = this.records(page(wire.agentList, agentBody, 'GET /v2/agents', 'a data list').data, wire.agentRecord, 'agent', skipped);
    if (agentRecords.length >= BLAND_AGENT_LIMIT) {
      skipped.push({ provider: 'bland', kind: 'agent', id: '*', reason: `Bland lists at most ${BLAND_AGENT_LIMIT} v2 agents and has no next page; agents beyond them were not read` });
    }
    const pathways = this.records(page(wire.pathwayList, pathwayBody, 'GET /v1/pathway', 'a list of pathways'), wire.pathwayRecord, 'agent', skipped);

    const agents: RemoteAgent[] = [];
    const personaIds = new Set(records.map((record) => record.persona_id).filter((id): id is string => Boolean(id)));
    // The lists are in; each v2 agent's detail (is it live?) is read next, one request per agent.
    const details = { name: 'agents', done: 0, total: agentRecords.length };
    const report = () => options.onProgress?.({ provider: 'bland', numbers: records.length, agents: agentRecords.length + pathways.length, step: { ...details } });
    report();
    const [v2Agents] = await Promise.all([
      this.v2Agents(agentRecords, skipped, () => {
        details.done++;
        report();
      }),
      this.learnBindings(agentRecords, personaIds),
    ]);
    agents.push(...v2Agents);
    for (const pathway of pathways) {
      this.kinds.set(pathway.id, 'pathway');
      agents.push(pathwayAgent(pathway.id, pathway.name));
    }
    const unresolved = [...personaIds].filter((id) => !this.agentOfPersona.has(id));
    const personas = await this.personas(unresolved);
    agents.push(...personas.found);

    const numbers: RemoteNumber[] = [];
    for (const record of records) {
      if (record.persona_id && personas.missing.has(record.persona_id)) {
        skipped.push({ provider: 'bland', kind: 'number', id: record.phone_number, reason: `attached to persona ${record.persona_id}, which Bland does not show` });
        continue;
      }
      numbers.push(toRemoteNumber(record, inboundHolder(record, this.agentOfPersona), sms.get(record.phone_number) ?? null));
    }
    options.onProgress?.({ provider: 'bland', numbers: numbers.length, agents: agents.length });
    return { provider: 'bland', numbers, agents, skipped, requests: this.http.requestCount - started };
  }

  /**
   * One round trip in the common case: the number, the SMS list and, when the cache names an
   * agent whose persona is not known yet, that agent's binding, all at once. The hint only saves
   * the scan; the number's own `persona_id` decides who holds it.
   */
  async readNumber(key: NumberKey): Promise<RemoteNumber> {
    const hinted = this.hintToCheck(key);
    const [record, sms] = await Promise.all([this.numberRecord(key.e164), this.smsPathways(), hinted ? this.checkHint(hinted) : undefined]);
    const holder = await this.resolveHolder(record);
    return toRemoteNumber(record, holder, sms.get(record.phone_number) ?? null);
  }

  async writeSlots(key: NumberKey, slots: SlotWrite, current: RemoteNumber): Promise<RemoteNumber> {
    if (slots.outbound && slots.outbound.length > 0) {
      throw new Error('Bland numbers have no outbound assignment: the agent is chosen per call');
    }
    const inbound = slots.inbound === undefined ? undefined : singleAgent('inbound', slots.inbound);
    const sms = slots.sms === undefined ? undefined : singleAgent('sms', slots.sms);
    if (sms && sms.kind !== 'pathway') throw new Error(`a Bland SMS configuration runs a pathway, not a ${sms.kind}`);

    const steps: Step[] = [];
    if (inbound !== undefined) steps.push(...(await this.inboundSteps(key.e164, inbound, current)));
    if (sms !== undefined) steps.push(...this.smsSteps(key.e164, sms, current));
    await runSteps(steps);
    // Every step was answered 2xx: the number now holds what was written, and nothing else moved.
    const written: SlotMap = { ...current.slots };
    if (inbound !== undefined) written.inbound = singleSlot(inbound?.agentId);
    if (sms !== undefined) written.sms = singleSlot(sms?.agentId);
    return { ...current, slots: written };
  }

  /** Bland has a label (`POST /v1/inbound/{n}`) but no fallback: `transfer_phone_number` is a mid-call transfer. */
  async writeSettings(key: NumberKey, settings: SettingsWrite, current: RemoteNumber): Promise<RemoteNumber> {
    if (settings.fallback !== undefined) {
      throw new Error('Bland numbers have no fallback destination: transfer_phone_number is a mid-call transfer, not a fallback');
    }
    if (settings.label === undefined) return current;
    const path = `/v1/inbound/${encodeURIComponent(key.e164)}`;
    const answer = wire.numberUpdateAnswer.safeParse(await this.post(path, { label: settings.label }));
    // The answer carries the updated record; where it does not, the 2xx alone says the label is set.
    const record = answer.success ? answer.data?.data : undefined;
    const label = record && record.phone_number === current.e164 && record.label !== undefined ? record.label : settings.label;
    return { ...current, label };
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  private async get(path: string, query?: Record<string, string | number>): Promise<unknown> {
    return (await this.http.request({ method: 'GET', path, query })).data;
  }

  private async post(path: string, json: unknown): Promise<unknown> {
    return (await this.http.request({ method: 'POST', path, json })).data;
  }

  private records<S extends z.ZodType<{ id: string }>>(items: unknown[], schema: S, kind: 'agent' | 'number', skipped: SkippedRecord[]): z.infer<S>[] {
    const out: z.infer<S>[] = [];
    for (const item of items) {
      const parsed = schema.safeParse(item);
      if (parsed.success) out.push(parsed.data);
      else skipped.push({ provider: 'bland', kind, id: idOf(item, 'id'), reason: describeIssue(parsed.error) });
    }
    return out;
  }

  private numberRecords(items: unknown[], skipped: SkippedRecord[]): wire.NumberRecord[] {
    const out: wire.NumberRecord[] = [];
    for (const item of items) {
      const parsed = wire.numberRecord.safeParse(item);
      if (!parsed.success) {
        skipped.push({ provider: 'bland', kind: 'number', id: idOf(item, 'phone_number'), reason: describeIssue(parsed.error) });
      } else if (!isStrictE164(parsed.data.phone_number)) {
        skipped.push({ provider: 'bland', kind: 'number', id: parsed.data.phone_number, reason: `phone_number ${JSON.stringify(parsed.data.phone_number)} is not E.164` });
      } else {
        out.push(parsed.data);
      }
    }
    return out;
  }

  private async numberRecord(e164: string): Promise<wire.NumberRecord> {
    const path = `/v1/inbound/${encodeURIComponent(e164)}`;
    const parsed = wire.numberRecord.safeParse(await this.get(path));
    if (!parsed.success) throw new ProviderError(PROVIDER, `GET ${path} answered a record voicenum cannot read (${describeIssue(parsed.error)})`);
    if (!isStrictE164(parsed.data.phone_number)) throw new ProviderError(PROVIDER, `GET ${path} answered phone_number ${JSON.stringify(parsed.data.phone_number)}, which is not E.164`);
    return parsed.data;
  }

  /**
   * Each number's SMS pathway. SMS is an Enterprise feature: an account without it is refused
   * here although its key works everywhere else, and then simply has no SMS assignments.
   */
  private async smsPathways(): Promise<Map<string, string | null>> {
    let body: unknown;
    try {
      body = await this.get('/v1/sms/numbers');
    } catch (error) {
      if (error instanceof AuthError || (error instanceof ProviderError && error.status === 404)) return new Map();
      throw error;
    }
    const out = new Map<string, string | null>();
    for (const item of page(wire.smsList, body, 'GET /v1/sms/numbers', 'a data list').data) {
      const parsed = wire.smsEntry.safeParse(item);
      if (parsed.success) out.set(parsed.data.phone_number, parsed.data.sms_config?.pathway_id ?? null);
    }
    return out;
  }

  /** The list has no environments; an agent is live when its `production` environment pins a version. */
  private async v2Agents(records: wire.AgentRecord[], skipped: SkippedRecord[], onRead: () => void): Promise<RemoteAgent[]> {
    const out: (RemoteAgent | null)[] = await mapConcurrently(records, this.concurrency, async (record) => {
      this.kinds.set(record.id, 'agent');
      try {
        const detail = wire.agentDetail.safeParse(await this.get(`/v2/agents/${encodeURIComponent(record.id)}`));
        onRead();
        const production = detail.success ? detail.data.data.environments?.find((environment) => environment.env_type === 'production') : undefined;
        return v2Agent(record.id, record.name, detail.success && detail.data.data.environments ? Boolean(production?.current_version_id) : null);
      } catch (error) {
        // Deleted between the list and the detail read: it holds nothing any more.
        if (error instanceof ProviderError && error.status === 404) {
          skipped.push({ provider: 'bland', kind: 'agent', id: record.id, reason: 'vanished while being read' });
          return null;
        }
        throw error;
      }
    });
    return out.filter((agent): agent is RemoteAgent => agent !== null);
  }

  /**
   * Learn which v2 agent owns each persona the numbers point at. Bindings are read a batch at a
   * time and the reading stops once every persona is accounted for.
   */
  private async learnBindings(agents: readonly wire.AgentRecord[], personaIds: ReadonlySet<string>): Promise<void> {
    const known = new Set(this.agentOfPersona.values());
    const pending = () => [...personaIds].some((id) => !this.agentOfPersona.has(id));
    const candidates = agents.filter((agent) => !known.has(agent.id));
    await forEachConcurrently(candidates, this.concurrency, (agent) => this.learnBinding(agent.id), { stop: () => !pending() });
  }

  private async learnBinding(agentId: string): Promise<void> {
    const parsed = wire.agentBinding.safeParse(await this.get(`/v2/agents/${encodeURIComponent(agentId)}/inbound`));
    const personaId = parsed.success ? parsed.data.data.persona_id : null;
    if (personaId) this.remember(personaId, agentId);
  }

  private remember(personaId: string, agentId: string): void {
    this.agentOfPersona.set(personaId, agentId);
    this.kinds.set(agentId, 'agent');
  }

  /** Personas that belong to no v2 agent: made in the v1 personas API, they answer numbers too. */
  private async personas(ids: string[]): Promise<{ found: RemoteAgent[]; missing: Set<string> }> {
    const missing = new Set<string>();
    const found = await mapConcurrently(ids, this.concurrency, async (id) => {
      try {
        const parsed = wire.personaAnswer.safeParse(await this.get(`/v1/personas/${encodeURIComponent(id)}`));
        if (!parsed.success) {
          missing.add(id);
          return null;
        }
        this.kinds.set(id, 'persona');
        return personaAgent(parsed.data.data.id, parsed.data.data.name, Boolean(parsed.data.data.current_production_version_id));
      } catch (error) {
        if (error instanceof ProviderError && error.status === 404) {
          missing.add(id);
          return null;
        }
        throw error;
      }
    });
    return { found: found.filter((agent): agent is RemoteAgent => agent !== null), missing };
  }

  /**
   * The agent the cache says holds the number's inbound slot, when reading its binding could spare
   * the scan: not when its persona is already known, nor when it is known to be a pathway or persona.
   */
  private hintToCheck(key: NumberKey): string | null {
    const hinted = key.known?.inbound?.[0]?.agentId;
    if (!hinted) return null;
    const kind = this.kinds.get(hinted);
    if (kind === 'pathway' || kind === 'persona') return null;
    for (const agentId of this.agentOfPersona.values()) if (agentId === hinted) return null;
    return hinted;
  }

  /** Learn the hinted agent's persona. A failed read only costs the shortcut: the scan still runs. */
  private async checkHint(agentId: string): Promise<void> {
    try {
      await this.learnBinding(agentId);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
    }
  }

  /** One number's holder, reading the agent list and bindings only when the persona is new to us. */
  private async resolveHolder(record: wire.NumberRecord): Promise<InboundHolder | null> {
    const personaId = record.persona_id;
    if (personaId && !this.agentOfPersona.has(personaId) && this.kinds.get(personaId) !== 'persona') {
      const listed = page(wire.agentList, await this.get('/v2/agents', { limit: BLAND_AGENT_LIMIT }), 'GET /v2/agents', 'a data list');
      const agents = this.records(listed.data, wire.agentRecord, 'agent', []);
      await this.learnBindings(agents, new Set([personaId]));
      if (!this.agentOfPersona.has(personaId)) {
        const { missing } = await this.personas([personaId]);
        if (missing.has(personaId)) throw new ProviderError(PROVIDER, `${record.phone_number} is attached to persona ${personaId}, which Bland does not show`);
      }
    }
    const holder = inboundHolder(record, this.agentOfPersona);
    if (holder) this.kinds.set(holder.id, holder.kind);
    return holder;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  private async inboundSteps(e164: string, wanted: WriteSlotAgent | null, current: RemoteNumber): Promise<Step[]> {
    const previousId = current.slots.inbound[0]?.agentId ?? null;
    if ((wanted?.agentId ?? null) === previousId) return [];
    const previous = previousId ? await this.holderOf(e164, previousId) : null;
    const next: InboundHolder | null = wanted ? { kind: blandKind(wanted.kind), id: wanted.agentId } : null;
    const restore = async () => {
      if (next) await this.clear(e164, next);
      if (previous) await this.apply(e164, previous);
    };
    const steps: Step[] = [];
    const restoreFix = `${next ? `detach ${e164} from ${next.kind} ${next.id}` : ''}${next && previous ? ' and ' : ''}${previous ? `point ${e164} back at ${previous.kind} ${previous.id}` : ''}`;
    if (next) steps.push({ describe: `point ${e164} at ${next.kind} ${next.id}`, fix: restoreFix, run: () => this.apply(e164, next), undo: restore });
    // Attaching replaces a pathway or another persona; a pathway does not push an attached persona out.
    if (previous && (!next || (next.kind === 'pathway' && previous.kind !== 'pathway'))) {
      steps.push({ describe: `detach ${e164} from ${previous.kind} ${previous.id}`, fix: `point ${e164} back at ${previous.kind} ${previous.id}`, run: () => this.clear(e164, previous), undo: () => this.apply(e164, previous) });
    }
    return steps;
  }

  private smsSteps(e164: string, wanted: WriteSlotAgent | null, current: RemoteNumber): Step[] {
    const previous = current.slots.sms[0]?.agentId ?? null;
    const next = wanted?.agentId ?? null;
    if (next === previous) return [];
    return [{ describe: `set the SMS pathway of ${e164} to ${next ?? 'none'}`, fix: `set the SMS pathway of ${e164} back to ${previous ?? 'none'}`, run: () => this.setSmsPathway(e164, next), undo: () => this.setSmsPathway(e164, previous) }];
  }

  /** The kind of the agent holding a number now, from memory or, failing that, from the record. */
  private async holderOf(e164: string, agentId: string): Promise<InboundHolder | null> {
    const known = this.kinds.get(agentId);
    if (known) return { kind: known, id: agentId };
    const record = await this.numberRecord(e164);
    if (record.pathway_id === agentId && !record.persona_id) return { kind: 'pathway', id: agentId };
    if (record.persona_id === agentId) return { kind: 'persona', id: agentId };
    if (record.persona_id) return { kind: 'agent', id: agentId };
    return null;
  }

  private async apply(e164: string, holder: InboundHolder): Promise<void> {
    if (holder.kind === 'pathway') return this.setPathway(e164, holder.id);
    const body = { inbound_numbers: [e164] };
    if (holder.kind === 'persona') {
      await this.post(`/v1/personas/${encodeURIComponent(holder.id)}/inbound/attach`, body);
      return;
    }
    const answer = wire.attachAnswer.safeParse(await this.post(`/v2/agents/${encodeURIComponent(holder.id)}/inbound/attach`, body));
    const personaId = answer.success ? answer.data?.data?.persona_id : null;
    if (personaId) this.remember(personaId, holder.id);
    else await this.learnBinding(holder.id);
  }

  private async clear(e164: string, holder: InboundHolder): Promise<void> {
    if (holder.kind === 'pathway') return this.setPathway(e164, null);
    const base = holder.kind === 'persona' ? '/v1/personas' : '/v2/agents';
    await this.post(`${base}/${encodeURIComponent(holder.id)}/inbound/detach`, { inbound_numbers: [e164] });
  }

  private async setPathway(e164: string, pathwayId: string | null): Promise<void> {
    await this.post(`/v1/inbound/${encodeURIComponent(e164)}`, { pathway_id: pathwayId });
  }

  /** A new pathway starts at its live version and first node: the old pin belonged to the old pathway. */
  private async setSmsPathway(e164: string, pathwayId: string | null): Promise<void> {
    try {
      await this.post('/v1/sms/number/update', { phone_number: e164, pathway_id: pathwayId, pathway_version: null, start_node_id: null });
    } catch (error) {
      // The key is fine (the number was just read with it): a refusal here is the plan, not the key.
      if (error instanceof AuthError) throw new ProviderError(PROVIDER, `refused the SMS configuration of ${e164}: ${error.message}`, { status: 403, hint: 'SMS on Bland numbers needs an Enterprise plan' });
      throw error;
    }
  }
}

// ---------------------------------------------------------------------------------------------

function singleAgent(slot: string, agents: WriteSlotAgent[]): WriteSlotAgent | null {
  if (agents.length > 1) throw new Error(`a Bland ${slot} slot holds one agent, not ${agents.length}`);
  const agent = agents[0];
  if (agent?.version !== undefined && agent.version !== null) throw new Error(`Bland ${slot} assignments take no version pin`);
  return agent ?? null;
}

function blandKind(kind: string): BlandKind {
  if (kind === 'agent' || kind === 'pathway' || kind === 'persona') return kind;
  throw new Error(`Bland has no agent kind ${JSON.stringify(kind)}`);
}

/** Run the steps in order; when one fails, take back the finished ones, newest first. */
async function runSteps(steps: Step[]): Promise<void> {
  const done: Step[] = [];
  for (const step of steps) {
    try {
      await step.run();
      done.push(step);
    } catch (error) {
      const stuck: Step[] = [];
      const reasons: string[] = [];
      for (const finished of done.reverse()) {
        try {
          await finished.undo();
        } catch (undoError) {
          stuck.push(finished);
          reasons.push(`${finished.describe} (${(undoError as Error).message})`);
        }
      }
      if (stuck.length === 0) throw error;
      const status = error instanceof ProviderError ? error.status : null;
      const message = `${stripProvider((error as Error).message)}; the earlier change could not be undone, so Bland keeps it: ${reasons.join('; ')}`;
      // Upstream is half written: the engine flags the number with this exact fix.
      const fix = `Bland kept ${stuck.map((step) => step.describe).join(' and ')} after a failed change; fix by hand in the Bland dashboard: ${stuck.map((step) => step.fix).join(', then ')}; then run \`voicenum sync --provider bland\``;
      throw new PartialWriteError(PROVIDER, message, fix, { status, hint: 'undo it by hand in the Bland dashboard, then run `voicenum sync --provider bland`' });
    }
  }
}

function stripProvider(message: string): string {
  return message.startsWith(`${PROVIDER}: `) ? message.slice(PROVIDER.length + 2) : message;
}

/** A list body checked for the list voicenum reads; without it the whole answer is unusable. */
function page<S extends z.ZodType>(schema: S, body: unknown, request: string, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ProviderError(PROVIDER, `${request} answered without ${what}`);
  return parsed.data;
}

function idOf(item: unknown, field: string): string {
  const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' && value !== '' ? value : '(no id)';
}
