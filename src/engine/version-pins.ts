import { ExitCode, RefusedError, VoicenumError } from '../domain/errors.js';
import type { ProviderName, Slot } from '../domain/model.js';
import type { NumberPlan, PlannedAgent } from '../domain/rules.js';
import type { ApplyPorts, ApplyResult } from './apply.js';
import type { MissingVersion, VersionPin } from '../providers/types.js';

/** A number about to be pushed: its checked plan, and its result once it has one. */
interface PinTarget {
  plan?: NumberPlan;
  result?: ApplyResult;
}

interface Pin {
  slot: Slot;
  /** The number whose slot is written: the target's own, or another one under a policy move. */
  e164: string;
  agent: PlannedAgent;
}

const pinKey = (pin: VersionPin) => `${pin.agentId}@${pin.version}`;

/** Every pinned agent the plan writes: in the slots it changes, and in its policy side effects. */
function pinsOf(plan: NumberPlan): Pin[] {
  const changed = plan.changes.filter((change) => change.kind !== 'unchanged').flatMap((change) => change.after.map((agent) => ({ slot: change.slot, e164: plan.number.e164, agent })));
  const side = plan.sideEffects.flatMap((effect) => effect.changes.filter((change) => change.kind !== 'unchanged').flatMap((change) => change.after.map((agent) => ({ slot: change.slot, e164: effect.number.e164, agent }))));
  return [...changed, ...side].filter((pin) => pin.agent.version !== null);
}

function refusalOf(pin: Pin, own: string, missing: MissingVersion): string {
  const where = pin.e164 === own ? pin.slot : `${pin.slot} of ${pin.e164}`;
  const who = pin.agent.name ? `${pin.agent.name} (${pin.agent.agentId})` : pin.agent.agentId;
  return `${where}: agent ${who} ${missing.reason}`;
}

/**
 * Checks the version pins of every number about to be pushed against the agents' versions
 * upstream, before anything is written: the cache keeps no versions, and a pin to a version that
 * does not exist would otherwise be found out by the write itself, one number at a time. A number
 * whose pins name a missing version is refused (exit 3) with nothing pushed; when the versions
 * cannot be read, its push fails with that error, again with nothing pushed. The others go on.
 * Pins are gathered across the whole batch so that each agent's versions are read once, and
 * numbers without pins cost nothing here.
 */
export async function refuseMissingVersions(ports: Pick<ApplyPorts, 'adapter'>, targets: PinTarget[]): Promise<void> {
  const byProvider = new Map<ProviderName, { target: PinTarget; pins: Pin[] }[]>();
  for (const target of targets) {
    if (!target.plan || target.result) continue;
    const pins = pinsOf(target.plan);
    if (pins.length === 0) continue;
    const provider = target.plan.number.provider;
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), { target, pins }]);
  }
  for (const [provider, pinned] of byProvider) {
    let missing: MissingVersion[];
    try {
      const adapter = await ports.adapter(provider);
      if (!adapter.checkVersions) continue;
      missing = await adapter.checkVersions(pinned.flatMap(({ pins }) => pins.map((pin) => ({ agentId: pin.agent.agentId, version: pin.agent.version! }))));
    } catch (error) {
      if (!(error instanceof VoicenumError)) throw error;
      for (const { target } of pinned) target.result = resultOf(target.plan!, 'failed', error.message, error.exitCode, error.hint);
      continue;
    }
    const byPin = new Map(missing.map((entry) => [pinKey(entry), entry]));
    for (const { target, pins } of pinned) {
      const refusals = [...new Set(pins.flatMap((pin) => {
        const found = byPin.get(pinKey({ agentId: pin.agent.agentId, version: pin.agent.version! }));
        return found ? [refusalOf(pin, target.plan!.number.e164, found)] : [];
      }))];
      if (refusals.length) target.result = resultOf(target.plan!, 'refused', new RefusedError(refusals).message, ExitCode.Refused);
    }
  }
}

function resultOf(plan: NumberPlan, outcome: 'refused' | 'failed', message: string, exitCode: ApplyResult['exitCode'], hint?: string): ApplyResult {
  return { e164: plan.number.e164, provider: plan.number.provider, outcome, changes: [], message, exitCode, ...(hint === undefined ? {} : { hint }) };
}
