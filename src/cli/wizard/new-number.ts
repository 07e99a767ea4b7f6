import { UsageError } from '../../domain/errors.js';
import type { ProviderName } from '../../domain/model.js';
import { CAPABILITIES, CARRIER } from '../../providers/registry.js';
import type { NumberRow, Store } from '../../store/index.js';
import type { BuyOptions, ImportOptions } from '../commands/lifecycle.command.js';
import type { Context } from '../context.js';
import { filterChoices, type Choice, type SearchSource } from '../prompter.js';
import { numberChoices, numberSearch } from './steps.js';

/**
 * The wizard's first step also offers a number that does not exist yet: one bought on a platform,
 * or one of the carrier account imported into a platform. Both run through `numbers buy` and
 * `numbers import` themselves (their checks, plan, confirmation and engine); the wizard then goes on
 * to the slots with the new number.
 */

export interface NewNumber {
  way: 'buy' | 'import';
}

/** The entries above the cached numbers: only the ways some provider's descriptor offers. */
export function newNumberChoices(): Choice<NewNumber>[] {
  const choices: Choice<NewNumber>[] = [];
  if (CAPABILITIES.all.some((c) => c.lifecycle.buy)) choices.push({ name: '(get a new number)  buy one on a platform, then assign it', value: { way: 'buy' } });
  if (CARRIER && CAPABILITIES.all.some((c) => c.lifecycle.importVia)) choices.push({ name: `(import a ${CARRIER.displayName} number)  bring a number of your ${CARRIER.displayName} account to a platform, then assign it`, value: { way: 'import' } });
  return choices;
}

/** The number search, with the new-number entries first when nothing is typed or they match what is. */
export function withNewNumbers(search: SearchSource<NumberRow>): SearchSource<NumberRow | NewNumber> {
  return (term, choices) => {
    const ways = choices.filter((choice): choice is Choice<NewNumber> => 'way' in choice.value);
    const numbers = choices.filter((choice): choice is Choice<NumberRow> => !('way' in choice.value));
    return [...(term.trim() === '' ? ways : filterChoices(term, ways)), ...search(term, numbers)];
  };
}

/** Buy or import through the commands' own run code, and return the new number's cached row. */
export async function makeNumber(ctx: Context, store: Store, chosen: NewNumber, rows: readonly NumberRow[]): Promise<NumberRow> {
  const prompter = ctx.prompter();
  const { runBuy, runImport } = await import('../commands/lifecycle.js');
  let made: { e164: string; provider: ProviderName } | undefined;
  const keep = (number: { e164: string; provider: ProviderName }) => (made = number);
  if (chosen.way === 'import') {
    const carrier = CARRIER!;
    // The carrier's numbers no platform holds are the list's rows of the carrier.
    const own = rows.filter((row) => row.provider === carrier.name && !row.removed);
    if (own.length === 0) throw new UsageError(`every ${carrier.displayName} number in the cache is already on a platform`, `run \`${ctx.hintCommand(`sync --provider ${carrier.name}`)}\` if one is new`);
    const row = await prompter.search(`Which ${carrier.displayName} number? (type to filter)`, numberChoices(own), numberSearch(ctx.settings().defaultCountry));
    const into = await prompter.select<ProviderName>(
      'Into which platform?',
      CAPABILITIES.all.filter((c) => c.lifecycle.importVia).map((c) => ({ name: `${c.displayName}  ${c.lifecycle.importVia === 'sip-trunk' ? 'over an Elastic SIP trunk voicenum builds' : `with your ${carrier.displayName} credentials`}`, value: c.name })),
    );
    await runImport(ctx, row.e164, { into } as ImportOptions, keep);
  } else {
    const provider = await prompter.select<ProviderName>(
      'Buy on which platform? (the platform charges for it)',
      CAPABILITIES.all.filter((c) => c.lifecycle.buy).map((c) => ({ name: c.displayName, value: c.name })),
    );
    const areaCode = (await prompter.input('Area code (three digits, or empty for any)', (value) => (value.trim() === '' || /^\d{3}$/.test(value.trim()) ? true : 'three digits, or nothing'))).trim();
    await runBuy(ctx, { provider, ...(areaCode ? { areaCode } : {}) } as BuyOptions, keep);
  }
  if (!made) throw new UsageError('no number was made');
  const { e164, provider } = made;
  const row = store.findNumbers(e164).find((r) => r.provider === provider && !r.removed);
  if (!row) throw new UsageError(`${e164} was made at ${provider} but is not in the cache yet`, `run \`${ctx.hintCommand(`sync --provider ${provider}`)}\`, then \`${ctx.hintCommand(`assign ${e164}`)}\``);
  return row;
}
