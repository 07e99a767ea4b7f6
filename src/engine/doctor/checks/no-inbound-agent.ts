import type { Check } from '../types.js';
import { inLifecycle, inService, numberFinding } from '../lookup.js';

/**
 * A number in service with nothing to answer it. The carrier's own numbers are judged by their
 * routing instead (carrier-routed-nowhere): a voice URL answers them without an agent.
 */
export const noInboundAgent: Check = {
  id: 'no-inbound-agent',
  severity: 'warning',
  scope: 'number',
  run(snapshot) {
    return snapshot.fleet
      .platformRowsUnanswered()
      .filter((row) => snapshot.capabilities(row.provider).slots.inbound.offered && inService(row) && !inLifecycle(snapshot, row))
      .map((row) =>
        numberFinding(noInboundAgent, row, {
          problem: 'no inbound agent: nothing answers calls to it',
          impact: 'callers reach silence or the platform\'s default; a number meant only to place calls can ignore this',
          fix: snapshot.command(`assign ${row.e164} --inbound <agent>`),
        }),
      );
  },
};
