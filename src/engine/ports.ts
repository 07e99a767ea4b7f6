import { randomUUID, userInfo } from '../util/lazy-builtins.js';
import { ExitCode, VoicenumError } from '../domain/errors.js';
import type { ProviderName } from '../domain/model.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { Store } from '../store/index.js';
import type { ApplyPorts } from './apply.js';

/**
 * What the engine needs from the command that runs it. The cli's Context has all of it; the engine
 * names only these parts, so it never depends on the command-line layer.
 */
export interface PortSource {
  readonly env: NodeJS.ProcessEnv;
  readonly profile: string;
  /** A clock as a plain function: the ports hand it on as it is. */
  readonly now: () => Date;
  /** Whether the operator asked to stop (Ctrl-C, SIGTERM). */
  readonly interrupt: { readonly requested: boolean };
  /** Adapters for the providers that have credentials, and why the others were skipped. */
  adapters(only?: ProviderName[]): Promise<{ adapters: ProviderAdapter[]; skipped: { provider: ProviderName; reason: string }[] }>;
}

/** The ports of one command run, with the adapters it built (for the --verbose request count). */
export type RunPorts = ApplyPorts & { adapters: Map<ProviderName, Promise<ProviderAdapter>> };

/** What the engine needs from a command run: adapters built once per provider, the cache, who is acting. */
export function applyPorts(source: PortSource, store: Store): RunPorts {
  const adapters = new Map<ProviderName, Promise<ProviderAdapter>>();
  const agents = new Map(store.listAgents({ includeRemoved: true }).map((a) => [`${a.provider}:${a.id}`, a]));
  let osUser = 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    osUser = source.env.USER ?? source.env.USERNAME ?? 'unknown';
  }
  return {
    adapters,
    store,
    journal: store,
    interrupted: () => source.interrupt.requested,
    now: source.now,
    audit: { osUser, profile: source.profile, batch: randomUUID() },
    lock: (provider, providerId, e164, work) => store.withNumberLock(provider, providerId, e164, work),
    agentInfo: (provider, agentId) => {
      const agent = agents.get(`${provider}:${agentId}`);
      return { name: agent?.name ?? null, kind: agent?.kind ?? 'unknown' };
    },
    adapter(provider) {
      let adapter = adapters.get(provider);
      if (!adapter) {
        adapter = source.adapters([provider]).then(({ adapters: built, skipped }) => {
          if (!built[0]) throw new VoicenumError(`no credentials for ${provider}: ${skipped[0]?.reason ?? 'not configured'}`, ExitCode.Auth);
          return built[0];
        });
        adapters.set(provider, adapter);
      }
      return adapter;
    },
  };
}
