import { parseDuration } from '../config/settings.js';
import type { Context } from './context.js';
import type { Store } from '../store/index.js';

/** Warn on stderr when the cache is empty or a provider's last sync is older than the configured age. */
export function warnIfStale(ctx: Context, store: Store): void {
  const states = store.syncStates();
  const sync = ctx.hintCommand('sync');
  if (states.length === 0) {
    ctx.printer.warn(`the cache is empty; run \`${sync}\` first`);
    return;
  }
  const maxAge = parseDuration(ctx.settings().cacheMaxAge);
  const now = ctx.now().getTime();
  const stale = states.filter((state) => now - Date.parse(state.syncedAt) > maxAge);
  if (stale.length) {
    const oldest = Math.max(...stale.map((state) => now - Date.parse(state.syncedAt)));
    ctx.printer.warn(`the cache of ${stale.map((s) => s.provider).join(', ')} is ${describeAge(oldest)} old (older than ${ctx.settings().cacheMaxAge}); run \`${sync}\``);
  }
}

export function describeAge(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}
