import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { ExitCode, VoicenumError } from '../domain/errors.js';
import type { ProviderName } from '../domain/model.js';
import type { ApplyPorts } from '../engine/apply.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { Store } from '../store/index.js';
import type { Context } from './context.js';

/** What the engine needs from a command run: adapters built once per provider, the cache, who is acting. */
export function applyPorts(ctx: Context, store: Store): ApplyPorts & { adapters: Map<ProviderName, Promise<ProviderAdapter>> } {
  const adapters = new Map<ProviderName, Promise<ProviderAdapter>>();
  const agents = new Map(store.listAgents({ includeRemoved: true }).map((a) => [`${a.provider}:${a.id}`, a]));
  let osUser = 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    osUser = ctx.env.USER ?? ctx.env.USERNAME ?? 'unknown';
  }
  return {
    adapters,
    store,
    journal: store,
    interrupted: () => ctx.interrupt.requested,
    now: ctx.now,
    audit: { osUser, profile: ctx.profile, batch: randomUUID() },
    lock: (provider, providerId, e164, work) => store.withNumberLock(provider, providerId, e164, work),
    agentInfo: (provider, agentId) => {
      const agent = agents.get(`${provider}:${agentId}`);
      return { name: agent?.name ?? null, kind: agent?.kind ?? 'unknown' };
    },
    adapter(provider) {
      let adapter = adapters.get(provider);
      if (!adapter) {
        adapter = ctx.adapters([provider]).then(({ adapters: built, skipped }) => {
          if (!built[0]) throw new VoicenumError(`no credentials for ${provider}: ${skipped[0]?.reason ?? 'not configured'}`, ExitCode.Auth);
          return built[0];
        });
        adapters.set(provider, adapter);
      }
      return adapter;
    },
  };
}
