import { CancelledError, UsageError } from '../../domain/errors.js';
import type { Slot } from '../../domain/model.js';
import { planNumber, type SlotRequest } from '../../domain/rules.js';
import { withArticle } from '../../domain/wording.js';
import { numberFacts, planContext } from '../../engine/plan.js';
import type { Context } from '../context.js';
import type { WizardOptions as WizardCommandOptions } from './wizard.command.js';
import { canPrompt } from '../prompter.js';
import { warnIfStale } from '../staleness.js';
import { agentChoices, numberChoices, numberSearch, slotChoices } from '../wizard/steps.js';
import { makeNumber, newNumberChoices, withNewNumbers, type NewNumber } from '../wizard/new-number.js';
import type { NumberRow } from '../../store/index.js';
import { printPlans, pushTargets, readFreshness, type Target } from './assign.js';

/** What the wizard takes: its own flags, or those `assign` alone on a terminal passes on. */
export type WizardOptions = Pick<WizardCommandOptions, 'allowDraft' | 'force' | 'json'>;

/**
 * The interactive assignment: number (or a new one: bought, or imported from the carrier) → slot(s) → agent per slot → the same plan `--dry-run` prints
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

  const chosen = await prompter.search<NumberRow | NewNumber>('Which number? (type to filter by number, provider, label or agent)', [...newNumberChoices(), ...numberChoices(rows)], withNewNumbers(numberSearch(ctx.settings().defaultCountry)));
  const row = 'way' in chosen ? await makeNumber(ctx, store, chosen, rows) : chosen;
  const facts = numberFacts(row);
  const slots = await prompter.checkbox<Slot>(`Which slot${'s'} of ${row.e164}?`, slotChoices(facts, context));
  const requests: Partial<Record<Slot, SlotRequest>> = {};
  for (const [index, slot] of slots.entries()) {
    const step = agentChoices(facts, slot, context);
    const hidden = step.hidden.reduce((sum, h) => sum + h.count, 0);
    if (index === 0 && hidden > 0) {
      ctx.printer.info(ctx.printer.err.dim(`${hidden} agent${hidden === 1 ? '' : 's'} of other providers not listed (${step.hidden.map((h) => `${h.provider} ${h.count}`).join(', ')}): ${withArticle(facts.provider)} number takes ${facts.provider} agents only`));
    }
    const agent = await prompter.search(`Which agent for ${slot}? (type to filter; last: empty this slot)`, step.choices);
    // "(empty this slot)" is an unassign: the same rules, plan and confirmation as `voicenum unassign`.
    requests[slot] = agent === null ? { action: 'clear' } : { action: 'assign', agents: [{ ref: { provider: agent.provider, key: agent.id }, weight: 1, version: null, text: `${agent.provider}:${agent.name}` }] };
  }
  const plan = planNumber(facts, requests, context);
  const target: Target = { input: row.e164, plan };
  // --force: what it overwrites upstream is shown and confirmed like any move.
  const ports = options.force && !plan.refusals.length && !ctx.options.offline ? await readFreshness(ctx, store, [target], true) : undefined;
  await printPlans(ctx, [target], undefined, true);
  if (plan.refusals.length) throw new UsageError(`the rules refuse this change: ${plan.refusals.join('; ')}`);
  if (!(await prompter.confirm(plan.confirmations.length ? `${plan.confirmations.join('; ')}. Apply?` : 'Apply this change?'))) throw new CancelledError();
  return pushTargets(ctx, store, [target], { force: options.force }, options.json, false, ports);
}
