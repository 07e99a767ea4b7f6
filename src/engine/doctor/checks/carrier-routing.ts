import { PROVIDERS, type ProviderName } from '../../../domain/model.js';
import type { FleetRecord, ImportRouting } from '../../../store/index.js';
import type { Check, DoctorIndex, DoctorSnapshot, Finding } from '../types.js';
import { inDashboard, inLifecycle, numberFinding } from '../lookup.js';

/**
 * How the carrier (Twilio) routes its numbers' calls: a SIP trunk beats an application, which beats
 * a voice URL. These checks compare that routing with who holds the number.
 */

function isTrunk(snapshot: DoctorSnapshot, index: DoctorIndex, row: FleetRecord): boolean {
  const trunkKind = snapshot.carrier?.carrier?.trunkKind;
  return trunkKind !== undefined && index.inboundKind(row) === trunkKind;
}

/** A carrier number no platform holds with no trunk, no application and no voice URL. */
export const carrierRoutedNowhere: Check = {
  id: 'carrier-routed-nowhere',
  severity: 'error',
  scope: 'number',
  run(snapshot) {
    const carrier = snapshot.carrier;
    if (!carrier) return [];
    // The same words for each of what may be thousands: one string each, shared.
    const problem = `routed nowhere: no ${carrier.displayName} application, SIP trunk or voice URL`;
    const impact = `${carrier.displayName} rejects every call to it`;
    const dashboard = inDashboard(snapshot, carrier.name);
    return snapshot.fleet
      .carrierRowsUnrouted()
      .filter((row) => !inLifecycle(snapshot, row))
      .map((row) =>
        numberFinding(carrierRoutedNowhere, row, {
          problem,
          impact,
          fix: snapshot.command(`assign ${row.e164} --inbound <application>`),
          manual: `set a voice URL on the number ${dashboard}, or import it into a platform (\`${snapshot.command(`numbers import ${row.e164} --into <platform>`)}\`)`,
        }),
      );
  },
};

/** A carrier number on a SIP trunk while no platform holds it: the trunk's platform has nothing to answer with. */
export const carrierTrunkUnheld: Check = {
  id: 'carrier-trunk-unheld',
  severity: 'error',
  scope: 'number',
  run(snapshot, index) {
    const carrier = snapshot.carrier;
    if (!carrier?.carrier) return [];
    const { trunkKind } = carrier.carrier;
    return snapshot.fleet
      .carrierRowsRoutedTo(trunkKind)
      .filter((row) => row.provider === carrier.name && isTrunk(snapshot, index, row) && !inLifecycle(snapshot, row))
      .map((row) => {
        const trunk = row.slots.inbound[0]!.agentId;
        const platforms = snapshot.fleet.platformsBehind(trunkKind, trunk);
        const importer = platforms.length === 1 && snapshot.capabilities(platforms[0] as ProviderName).lifecycle.import ? platforms[0] : null;
        return numberFinding(carrierTrunkUnheld, row, {
          problem: `routed to the SIP trunk ${trunk}${platforms.length ? ` (it carries numbers of ${platforms.map((p) => snapshot.capabilities(p as ProviderName).displayName).join(', ')})` : ''}, but no platform holds the number`,
          impact: 'calls go down the trunk to a platform that has no such number and drops them',
          fix: importer ? snapshot.command(`numbers import ${row.e164} --into ${importer} --yes`) : snapshot.command(`assign ${row.e164} --inbound <application> --yes`),
          manual: importer ? `route it to an application instead (\`${snapshot.command(`assign ${row.e164} --inbound <application> --yes`)}\`)` : null,
        });
      });
  },
};

/**
 * A number a platform imported while the carrier routes its calls somewhere else: another trunk's
 * application, a stranger's voice URL. The platform's descriptor says what the routing must be.
 */
export const carrierRoutingElsewhere: Check = {
  id: 'carrier-routing-elsewhere',
  severity: 'error',
  scope: 'number',
  run(snapshot, index) {
    const carrier = snapshot.carrier;
    if (!carrier?.carrier) return [];
    const findings: Finding[] = [];
    const rows = importsRoutedAmiss(snapshot, carrier.carrier.trunkKind);
    if (rows.length === 0) return findings;
    const carrierRecords = new Map(snapshot.fleet.byRowIds(rows.map((row) => row.carrierRowId!)).map((record) => [record.rowId, record]));
    // The trunks that carry each platform's numbers: read only when a trunk import is routed amiss.
    let trunksOf: Map<ProviderName, Set<string>> | undefined;
    for (const row of rows) {
      const routing = snapshot.capabilities(row.provider).carrierRouting;
      const record = row.carrierRowId === null ? undefined : carrierRecords.get(row.carrierRowId);
      if (!routing || !record || inLifecycle(snapshot, row)) continue;
      const platform = snapshot.capabilities(row.provider).displayName;
      const target = record.slots.inbound[0];
      if (routing.via === 'sip-trunk') {
        if (isTrunk(snapshot, index, record)) continue;
        // The trunk that carries this platform's other numbers, when there is exactly one.
        trunksOf ??= snapshot.fleet.routesOfPlatforms(carrier.carrier.trunkKind);
        const trunks = trunksOf.get(row.provider) ?? new Set<string>();
        const trunk = trunks.size === 1 ? [...trunks][0]! : null;
        findings.push(
          numberFinding(carrierRoutingElsewhere, row, {
            problem: `imported into ${platform} over a SIP trunk, but ${carrier.displayName} routes it ${target ? `to ${index.agentName(record.provider, target.agentId)}` : record.voiceUrl ? `to ${record.voiceUrl}` : 'nowhere'}`,
            impact: `calls never reach the ${platform} agent`,
            fix: trunk ? snapshot.command(`assign ${row.e164} --provider ${carrier.name} --inbound ${trunk} --yes`) : null,
            manual: `attach the number to ${platform}'s SIP trunk ${inDashboard(snapshot, carrier.name)}`,
          }),
        );
        continue;
      }
      if (record.voiceUrl === undefined) continue; // not read yet: the next sync tells
      const urlFits = fits(routing.hosts, record.voiceUrl);
      if (!target && urlFits) continue;
      findings.push(
        numberFinding(carrierRoutingElsewhere, row, {
          problem: `imported into ${platform}, but ${carrier.displayName} routes its calls ${target ? `to ${index.agentName(record.provider, target.agentId)}` : record.voiceUrl ? `to ${record.voiceUrl}` : 'nowhere'}`,
          impact: `calls never reach the ${platform} agent`,
          // An application or trunk hides a right voice URL: taking it off lets the URL answer again.
          fix: target && urlFits ? snapshot.command(`unassign ${row.e164} --provider ${carrier.name} --inbound --yes`) : null,
          manual: `set the number's voice URL to ${platform}'s (${routing.hosts.join(' or ')}) ${inDashboard(snapshot, carrier.name)}, or import it into ${platform} again`,
        }),
      );
    }
    return findings;
  },
};

/**
 * The platforms' imported numbers whose carrier record is not routed as the platform needs (its
 * trunk, or its voice URL and no agent), all platforms together in row-id order. The carrier's few
 * distinct voice URLs are judged here, so SQLite only compares them.
 */
function importsRoutedAmiss(snapshot: DoctorSnapshot, trunkKind: string): FleetRecord[] {
  let voiceUrls: string[] | undefined;
  const rows: FleetRecord[] = [];
  for (const platform of PROVIDERS) {
    const routing = snapshot.capabilities(platform).carrierRouting;
    if (!routing || platform === snapshot.carrier?.name) continue;
    let wanted: ImportRouting;
    if (routing.via === 'sip-trunk') wanted = { trunkKind };
    else {
      voiceUrls ??= snapshot.fleet.carrierVoiceUrls();
      wanted = { voiceUrls: voiceUrls.filter((url) => fits(routing.hosts, url)) };
    }
    rows.push(...snapshot.fleet.importsRoutedAmiss(platform, wanted));
  }
  return rows.sort((a, b) => a.rowId - b.rowId);
}

/** Whether a voice URL is on one of a platform's hosts. */
function fits(hosts: readonly string[], url: string | null): boolean {
  const host = hostOf(url);
  return host !== null && hosts.includes(host);
}

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}
