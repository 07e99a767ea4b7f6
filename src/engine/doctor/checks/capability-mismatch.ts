import type { Check, Finding } from '../types.js';
import { numberFinding, providerFlag } from '../lookup.js';

/**
 * An agent in a slot the number cannot serve: texts on a number that cannot text, calls on one that
 * cannot do voice (its own record, else its carrier's, says so).
 */
export const smsWithoutCapability: Check = {
  id: 'sms-without-capability',
  severity: 'error',
  scope: 'number',
  run(snapshot, index) {
    return snapshot.fleet
      .rowsTextingWithoutSms()
      .filter((row) => row.slots.sms.length > 0 && row.capabilities.sms === false)
      .map((row) =>
        numberFinding(smsWithoutCapability, row, {
          problem: `the sms slot holds ${row.slots.sms.map((a) => index.agentName(row.provider, a.agentId)).join(', ')}, but the number cannot send or receive texts`,
          impact: 'no text ever reaches that agent; senders get no answer',
          fix: snapshot.command(`unassign ${row.e164}${providerFlag(row)} --sms --yes`),
        }),
      );
  },
};

export const voiceWithoutCapability: Check = {
  id: 'voice-without-capability',
  severity: 'error',
  scope: 'number',
  run(snapshot, index) {
    const findings: Finding[] = [];
    for (const row of snapshot.fleet.rowsCallingWithoutVoice()) {
      if (row.capabilities.voice !== false) continue;
      const slots = (['inbound', 'outbound'] as const).filter((slot) => row.slots[slot].length > 0);
      if (slots.length === 0) continue;
      findings.push(
        numberFinding(voiceWithoutCapability, row, {
          problem: `${slots.map((slot) => `the ${slot} slot holds ${row.slots[slot].map((a) => index.agentName(row.provider, a.agentId)).join(', ')}`).join(' and ')}, but the number cannot carry voice calls`,
          impact: 'no call reaches or leaves that agent through this number',
          fix: snapshot.command(`unassign ${row.e164}${providerFlag(row)} ${slots.map((slot) => `--${slot}`).join(' ')} --yes`),
        }),
      );
    }
    return findings;
  },
};
