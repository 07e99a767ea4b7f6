import type { LifecycleOpRow, Store } from '../store/index.js';
import type { Context } from './context.js';

/**
 * An import, release or purchase whose process stopped mid-way (SIGKILL, a crash, a closed laptop)
 * stays open in the lifecycle journal. Every command that opens the cache says so, naming the number
 * and the ways out, until one of them is taken.
 */

/** The commands that finish or undo an operation left open. */
export function wayOut(ctx: Pick<Context, 'hintCommand'>, op: Pick<LifecycleOpRow, 'kind' | 'e164' | 'provider' | 'id'>): string {
  const number = op.e164 || op.id;
  const repair = `\`${ctx.hintCommand(`numbers repair ${number}${op.e164 ? ` --provider ${op.provider}` : ''}`)}\``;
  if (op.kind === 'import') return `finish it with \`${ctx.hintCommand(`numbers import ${number} --into ${op.provider} --resume`)}\`, or undo it with ${repair}`;
  if (op.kind === 'release') return `finish it with ${repair} (a platform's release cannot be undone)`;
  return `undo it with ${repair} (it releases the number if the purchase went through)`;
}

/**
 * Warn (stderr) about each operation a stopped process left running; `except` is the number the
 * running command is about to finish or undo itself. One indexed read of the journal.
 */
export function warnAbandonedOps(ctx: Pick<Context, 'hintCommand' | 'printer'>, store: Store, except?: string): void {
  for (const op of store.abandonedLifecycleOps()) {
    if (except !== undefined && op.e164 === except) continue;
    const what = op.kind === 'import' ? `an import of ${op.e164} into ${op.provider}` : op.kind === 'release' ? `a release of ${op.e164} from ${op.provider}` : `a purchase${op.e164 ? ` of ${op.e164}` : ''} at ${op.provider}`;
    ctx.printer.warn(`${what} was left unfinished by a voicenum run that stopped (started ${op.startedAt}); ${wayOut(ctx, op)}`);
  }
}
