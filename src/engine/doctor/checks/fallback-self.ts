import type { Check } from '../types.js';
import { numberFinding } from '../lookup.js';

/** A fallback that sends the number's failed calls back to the number itself. */
export const fallbackSelf: Check = {
  id: 'fallback-self',
  severity: 'error',
  scope: 'number',
  run(snapshot) {
    return snapshot.fleet
      .rowsWithFallback()
      .filter((row) => row.fallback !== null && row.fallback.replace(/[^\d+]/g, '') === row.e164)
      .map((row) =>
        numberFinding(fallbackSelf, row, {
          problem: `its fallback is the number itself (${row.fallback})`,
          impact: 'when the agent cannot answer, the call loops back to the same failing number instead of reaching a person',
          fix: snapshot.command(`numbers fallback ${row.e164} none`),
          manual: `set a number that reaches a person: \`${snapshot.command(`numbers fallback ${row.e164} <E164>`)}\``,
        }),
      );
  },
};
