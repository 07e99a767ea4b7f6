import { ProviderError } from '../../domain/errors.js';
import type { ProviderSnapshot, RemoteAgent, RemoteNumber, SkippedRecord } from '../../domain/model.js';
import { isStrictE164 } from '../../domain/phone.js';
import { mapConcurrently } from '../../util/concurrency.js';
import { createOnce } from '../create-once.js';
import { HttpClient } from '../http.js';
import { describeIssue } from '../schema-issue.js';
import type { AdapterSettings, FetchOptions, LifecycleCapability, MissingVersion, NumberKey, ProviderAdapter, PurchaseRequest, SettingsWrite, SipTrunkAccess, SlotWrite, CarrierSource, VersionPin } from '../types.js';
import { toCreateBody, toImportBody, toRemoteAgent, toRemoteNumber, toSettingsBody, toUpdateBody } from './map.js';
import { agentSchema, agentVersionSchema, pageSchema, phoneNumberSchema, retellErrorMessage, type AgentVersionWire, type AgentWire } from './schema.js';

export interface RetellAdapterSettings extends AdapterSettings {
  apiKey: string;
  /** Items per list request. Retell allows up to 1000, the default; tests shrink it to see paging. */
  pageSize?: number;
}

const PROVIDER = 'retell';
const MAX_PAGE_SIZE = 1000;
/** Version look-ups in flight at once: one per agent, so a large workspace must not fire them all. */
const VERSION_CONCURRENCY = 8;
/** Versions named when a pin names none: enough to see what exists, short enough for one line. */
const VERSIONS_SHOWN = 5;

type ListMethod = 'GET' | 'POST';

/**
 * The Retell adapter. Numbers come from `GET /v2/list-phone-numbers`, agents from
 * `POST /v2/list-agents` (voice and chat together), and whether an agent is live from
 * `GET /list-agent-versions/{id}`. Slots, label and fallback are written with one
 * `PATCH /update-phone-number` each.
 */
export function createRetellAdapter(settings: RetellAdapterSettings): ProviderAdapter {
  const client = new HttpClient({
    ...settings.http,
    provider: PROVIDER,
    baseUrl: settings.baseUrl,
    headers: { Authorization: `Bearer ${settings.apiKey}` },
    secrets: [settings.apiKey],
    errorMessage: retellErrorMessage,
    authHint: 'set RETELL_API_KEY, or run `voicenum auth login retell`',
  });
  const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(settings.pageSize ?? MAX_PAGE_SIZE)));

  /**
   * Follows `pagination_key` while `has_more` says so, yielding each page's items that were not
   * seen before. Stops early when the cursor repeats or a page brings nothing new, because the
   * live API has been reported to recycle cursors past the last page. A cursor that answers the
   * very page that handed it out is a stuck list, not its end: that is an error.
   */
  async function* pages(method: ListMethod, path: string, idOf: (item: unknown) => string | undefined, json?: unknown): AsyncGenerator<unknown[]> {
    const seenIds = new Set<string>();
    const seenKeys = new Set<string>();
    let key: string | undefined;
    for (;;) {
      const response = await client.request({ method, path, query: { limit: pageSize, sort_order: 'descending', pagination_key: key }, json });
      const parsed = pageSchema.safeParse(response.data);
      if (!parsed.success) throw new ProviderError(PROVIDER, `${method} ${path} answered a page voicenum cannot read (${describeIssue(parsed.error)})`);
      const fresh = parsed.data.items.filter((item) => {
        const id = idOf(item);
        if (id === undefined) return true;
        if (seenIds.has(id)) return false;
        seenIds.add(id);
        return true;
      });
      const next = parsed.data.pagination_key;
      // The page asked for with `key` came back as the page that handed out `key`: following it
      // would never end, and stopping quietly would cache part of the list.
      if (parsed.data.has_more && key !== undefined && next === key && fresh.length === 0 && parsed.data.items.length > 0) {
        throw new ProviderError(PROVIDER, `${method} ${path}: paging did not advance (pagination_key ${JSON.stringify(key)} answered the page that handed it out)`);
      }
      yield fresh;
      if (!parsed.data.has_more || (fresh.length === 0 && parsed.data.items.length > 0)) return;
      if (!next) throw new ProviderError(PROVIDER, `${method} ${path} said has_more but sent no pagination_key`);
      if (seenKeys.has(next)) return;
      seenKeys.add(next);
      key = next;
    }
  }

  async function readNumbers(skipped: SkippedRecord[], progress: () => void, counts: { numbers: number }): Promise<RemoteNumber[]> {
    const numbers: RemoteNumber[] = [];
    for await (const items of pages('GET', '/v2/list-phone-numbers', stringField('phone_number'))) {
      for (const item of items) {
        const number = acceptNumber(item, skipped);
        if (number) numbers.push(number);
      }
      counts.numbers = numbers.length;
      progress();
    }
    return numbers;
  }

  async function readAgents(skipped: SkippedRecord[], progress: () => void, counts: { agents: number }): Promise<AgentWire[]> {
    const agents: AgentWire[] = [];
    // An empty filter lists voice and chat agents together.
    for await (const items of pages('POST', '/v2/list-agents', stringField('agent_id'), {})) {
      for (const item of items) {
        const parsed = agentSchema.safeParse(item);
        if (parsed.success) agents.push(parsed.data);
        else skipped.push({ provider: PROVIDER, kind: 'agent', id: stringField('agent_id')(item) ?? '(no agent_id)', reason: describeIssue(parsed.error) });
      }
      counts.agents = agents.length;
      progress();
    }
    return agents;
  }

  /** Live means some version is published; versions come newest first, so the scan usually ends on page one. */
  async function isLive(agentId: string): Promise<boolean> {
    for await (const items of pages('GET', `/list-agent-versions/${encodeURIComponent(agentId)}`, versionId)) {
      if (items.some((item) => agentVersionSchema.safeParse(item).data?.is_published === true)) return true;
    }
    return false;
  }

  async function withLiveness(agents: AgentWire[], skipped: SkippedRecord[], onRead: () => void): Promise<RemoteAgent[]> {
    const results = await mapConcurrently(agents, VERSION_CONCURRENCY, async (agent) => {
      try {
        const live = await isLive(agent.agent_id);
        onRead();
        return toRemoteAgent(agent, live);
      } catch (error) {
        // Deleted between the list and the version look-up: nothing left to cache.
        if (error instanceof ProviderError && (error.status === 404 || error.status === 422)) {
          skipped.push({ provider: PROVIDER, kind: 'agent', id: agent.agent_id, reason: 'agent disappeared while its versions were read' });
          return null;
        }
        throw error;
      }
    });
    return results.filter((agent): agent is RemoteAgent => agent !== null);
  }

  /** Each agent's versions, newest first, read once per adapter (one command run); null when the agent is gone. */
  const versionLists = new Map<string, Promise<AgentVersionWire[] | null>>();

  function versionsOf(agentId: string): Promise<AgentVersionWire[] | null> {
    let list = versionLists.get(agentId);
    if (!list) {
      list = readVersions(agentId);
      versionLists.set(agentId, list);
    }
    return list;
  }

  async function readVersions(agentId: string): Promise<AgentVersionWire[] | null> {
    const versions: AgentVersionWire[] = [];
    try {
      for await (const items of pages('GET', `/list-agent-versions/${encodeURIComponent(agentId)}`, versionId)) {
        for (const item of items) {
          const parsed = agentVersionSchema.safeParse(item);
          if (parsed.success && typeof parsed.data.version === 'number') versions.push(parsed.data);
        }
      }
    } catch (error) {
      if (error instanceof ProviderError && (error.status === 404 || error.status === 422)) return null;
      throw error;
    }
    return versions.sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
  }

  /** The SIP trunk each record this adapter read goes out over (imported numbers only). */
  const trunkOf = new WeakMap<RemoteNumber, string>();

  async function readOne(path: string, method: 'GET' | 'PATCH' | 'POST', json?: unknown, write: { retry?: 'unprocessed'; secrets?: string[] } = {}): Promise<RemoteNumber> {
    const response = await client.request({ method, path, json, ...write });
    const parsed = phoneNumberSchema.safeParse(response.data);
    if (!parsed.success) throw new ProviderError(PROVIDER, `${method} ${path} answered a phone number voicenum cannot read (${describeIssue(parsed.error)})`);
    if (!isStrictE164(parsed.data.phone_number)) throw new ProviderError(PROVIDER, `${method} ${path} answered a phone_number that is not E.164`);
    const number = toRemoteNumber(parsed.data);
    const terminationUri = parsed.data.sip_outbound_trunk_config?.termination_uri;
    if (terminationUri) trunkOf.set(number, terminationUri);
    return number;
  }

  /** The number's record, or null when Retell has none (its 404/422). */
  async function findNumber(e164: string, accept: (number: RemoteNumber) => boolean): Promise<RemoteNumber | null> {
    try {
      const number = await readOne(`/get-phone-number/${numberPath(e164)}`, 'GET');
      return accept(number) ? number : null;
    } catch (error) {
      if (error instanceof ProviderError && (error.status === 404 || error.status === 422)) return null;
      throw error;
    }
  }

  /**
   * Buy (`POST /create-phone-number`), import over a SIP trunk (`POST /import-phone-number`) and
   * delete (`DELETE /delete-phone-number/{number}`). Creates are sent once; an unknown outcome is
   * settled by reading the number back where the request named it.
   */
  const lifecycle: LifecycleCapability = {
    buy(request: PurchaseRequest): Promise<RemoteNumber> {
      const create = () => readOne('/create-phone-number', 'POST', toCreateBody(request), { retry: 'unprocessed' });
      const find = request.e164 === undefined ? undefined : () => findNumber(request.e164!, () => true);
      return createOnce(PROVIDER, request.e164 ? `the number ${request.e164}` : 'a number', create, find);
    },

    importFromCarrier(request: { e164: string; label?: string; source: CarrierSource; trunk?: SipTrunkAccess }): Promise<RemoteNumber> {
      const { trunk } = request;
      if (!trunk) {
        return Promise.reject(new ProviderError(PROVIDER, `importing ${request.e164} needs an elastic SIP trunk (termination URI, username and password); Retell cannot take a Twilio number from account credentials alone`));
      }
      const create = () => readOne('/import-phone-number', 'POST', toImportBody(request.e164, trunk, request.label), { retry: 'unprocessed', secrets: [trunk.password] });
      // Only a record that came over this very trunk is the import; anything else was there before.
      const find = () => findNumber(request.e164, (number) => number.origin === 'custom' && trunkOf.get(number) === trunk.terminationUri);
      return createOnce(PROVIDER, `the import of ${request.e164}`, create, find);
    },

    async release(number: NumberKey): Promise<void> {
      // Already gone (an undo or a resumed release running again): released all the same.
      await client.removeIfPresent({ method: 'DELETE', path: `/delete-phone-number/${numberPath(number.providerId)}` }, [404, 422]);
    },
  };

  return {
    name: PROVIDER,
    get requestCount() {
      return client.requestCount;
    },
    lifecycle,

    fetchAll(options: FetchOptions = {}): Promise<ProviderSnapshot> {
      // Reads only: cancellable, and the first failure stops the other lists' requests.
      return client.cancellableReads(options.signal, async () => {
        const before = client.requestCount;
        const skipped: SkippedRecord[] = [];
        const counts = { numbers: 0, agents: 0 };
        // Whether each agent is live: one version read per agent, after the agent list.
        const versions = { name: 'agents', done: 0, total: 0 };
        const progress = () => options.onProgress?.({ provider: PROVIDER, ...counts, step: { ...versions } });
        const [numbers, agents] = await Promise.all([
          readNumbers(skipped, progress, counts),
          readAgents(skipped, progress, counts).then((listed) => {
            versions.total = listed.length;
            return withLiveness(listed, skipped, () => {
              versions.done++;
              progress();
            });
          }),
        ]);
        return { provider: PROVIDER, numbers, agents, skipped, requests: client.requestCount - before };
      });
    },

    async verifyCredentials(): Promise<void> {
      await client.request({ method: 'GET', path: '/v2/list-phone-numbers', query: { limit: 1 } });
    },

    readNumber(number: NumberKey): Promise<RemoteNumber> {
      return readOne(`/get-phone-number/${numberPath(number.providerId)}`, 'GET');
    },

    async writeSlots(number: NumberKey, slots: SlotWrite, current: RemoteNumber): Promise<RemoteNumber> {
      const body = toUpdateBody(slots);
      if (Object.keys(body).length === 0) return current;
      return readOne(`/update-phone-number/${numberPath(number.providerId)}`, 'PATCH', body);
    },

    async writeSettings(number: NumberKey, settings: SettingsWrite, current: RemoteNumber): Promise<RemoteNumber> {
      const body = toSettingsBody(settings);
      if (Object.keys(body).length === 0) return current;
      return readOne(`/update-phone-number/${numberPath(number.providerId)}`, 'PATCH', body);
    },

    /**
     * Numeric pins and `latest_published` are checked against the agent's version list. `latest`
     * always resolves, and a tag cannot be checked here (the version list does not carry tags;
     * Retell resolves a tag that exists but is unassigned to latest): both are left to Retell.
     */
    async checkVersions(pins: readonly VersionPin[]): Promise<MissingVersion[]> {
      const checked = pins.filter((pin) => /^\d+$/.test(pin.version) || pin.version === 'latest_published');
      await mapConcurrently([...new Set(checked.map((pin) => pin.agentId))], VERSION_CONCURRENCY, versionsOf);
      const missing: MissingVersion[] = [];
      const seen = new Set<string>();
      for (const pin of checked) {
        const key = `${pin.agentId}@${pin.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const reason = pinProblem(pin.version, await versionsOf(pin.agentId));
        if (reason !== null) missing.push({ agentId: pin.agentId, version: pin.version, reason });
      }
      return missing;
    },
  };
}

/** Why `version` names nothing among `versions` (newest first), or null when it names one. */
function pinProblem(version: string, versions: AgentVersionWire[] | null): string | null {
  if (versions === null) return 'no longer exists at Retell';
  if (version === 'latest_published') {
    return versions.some((entry) => entry.is_published === true) ? null : `has no published version for latest_published (${listVersions(versions)})`;
  }
  const wanted = Number(version);
  if (Number.isSafeInteger(wanted) && versions.some((entry) => entry.version === wanted)) return null;
  return `has no version ${version} (${listVersions(versions)})`;
}

/** `its versions, newest first: 3 (draft), 2, 1, 0`, the first few only. */
function listVersions(versions: AgentVersionWire[]): string {
  if (versions.length === 0) return 'it has no versions';
  const shown = versions.slice(0, VERSIONS_SHOWN).map((entry) => `${entry.version}${entry.is_published === false ? ' (draft)' : ''}`);
  const more = versions.length > VERSIONS_SHOWN ? `, and ${versions.length - VERSIONS_SHOWN} older` : '';
  return `its versions, newest first: ${shown.join(', ')}${more}`;
}

function acceptNumber(item: unknown, skipped: SkippedRecord[]): RemoteNumber | null {
  const id = stringField('phone_number')(item) ?? '(no phone_number)';
  const parsed = phoneNumberSchema.safeParse(item);
  if (!parsed.success) {
    skipped.push({ provider: PROVIDER, kind: 'number', id, reason: describeIssue(parsed.error) });
    return null;
  }
  if (!isStrictE164(parsed.data.phone_number)) {
    skipped.push({ provider: PROVIDER, kind: 'number', id, reason: 'phone_number is not a valid E.164 number' });
    return null;
  }
  return toRemoteNumber(parsed.data);
}

function stringField(field: string): (item: unknown) => string | undefined {
  return (item) => {
    const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[field] : undefined;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
}

function versionId(item: unknown): string | undefined {
  const value = typeof item === 'object' && item !== null ? (item as { version?: unknown }).version : undefined;
  return typeof value === 'number' ? String(value) : undefined;
}

/** Retell's own SDK puts the E.164 into the path with a literal `+`; everything else is escaped. */
function numberPath(e164: string): string {
  return encodeURIComponent(e164).replace(/%2B/g, '+');
}
