import { jsonRequested } from '../../output/printer.js';
import { CancelledError, UsageError } from '../../domain/errors.js';
import type { Slot } from '../../domain/model.js';
import { planNumber, type SlotRequest } from '../../domain/rules.js';
import { numberFacts, planContext } from '../../engine/plan.js';
import type { Context } from '../context.js';
import { canPrompt } from '../prompter.js';
import { warnIfStale } from '../staleness.js';
import { agentChoices, numberChoices, slotChoices } from '../wizard/steps.js';
import { printPlans, pushTargets, readFreshness, type Target } from './assign.js';

export interface WizardOptions {
  allowDraft?: boolean;
  force?: boolean;
  json?: boolean | string;
}

/**
 * The interactive assignment: number → slot(s) → agent per slot → the same plan `--dry-run` prints
 * → confirmation → the same push as `assign`. Prompts are drawn on stderr; the result goes to stdout.
 */
export async function runWizard(ctx: Context, options: WizardOptions): Promise<number> {
  if (!canPrompt(ctx.io)) {
    throw new UsageError('the wizard needs a terminal to ask on', `without one, use: ${ctx.hintCommand('assign NUMBER --inbound AGENT [--outbound AGENT] [--sms AGENT] [--yes]')} (see voicenum assign --help)`);
  }
  const store = await ctx.store();
  warnIfStale(ctx, store);
  const rows = store.listNumbers();
  if (rows.length === 0) throw new UsageError('the cache has no numbers to choose from', `run \`voicenum${ctx.sandbox ? ' --sandbox' : ''} sync\` first`);
  const prompter = ctx.prompter();
  const context = planContext(store, ctx.settings(), { allowDraft: Boolean(options.allowDraft), force: Boolean(options.force) });

  const row = await prompter.search('Which number? (type to filter by number, provider, label or agent)', numberChoices(rows));
  const facts = numberFacts(row);
  const slots = await prompter.checkbox<Slot>(`Which slot${'s'} of ${row.e164}?`, slotChoices(facts, context));
  const requests: Partial<Record<Slot, SlotRequest>> = {};
  for (const slot of slots) {
    const agent = await prompter.search(`Which agent for ${slot}? (type to filter)`, agentChoices(facts, slot, context));
    requests[slot] = { action: 'assign', agents: [{ ref: { provider: agent.provider, key: agent.id }, weight: 1, version: null, text: `${agent.provider}:${agent.name}` }] };
  }
  const plan = planNumber(facts, requests, context);
  const target: Target = { input: row.e164, plan };
  // --force: what it overwrites upstream is shown and confirmed like any move.
  const ports = options.force && !plan.refusals.length && !ctx.options.offline ? await readFreshness(ctx, store, [target], true) : undefined;
  await printPlans(ctx, [target], false, true);
  if (plan.refusals.length) throw new UsageError(`the rules refuse this change: ${plan.refusals.join('; ')}`);
  if (!(await prompter.confirm(plan.confirmations.length ? `${plan.confirmations.join('; ')}. Apply?` : 'Apply this change?'))) throw new CancelledError();
  return pushTargets(ctx, store, [target], { force: options.force }, jsonRequested(options.json), false, ports);
}
