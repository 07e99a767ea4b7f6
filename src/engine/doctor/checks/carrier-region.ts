import type { Check } from '../types.js';
import { numberFinding } from '../lookup.js';

/**
 * The inbound processing region of each carrier record (whichever platform answers the number): none
 * read, or not the team's `default-region`. `voicenum region NUMBER` finds the carrier record itself.
 */
export const carrierRegionMissing: Check = {
  id: 'carrier-region-missing',
  severity: 'warning',
  scope: 'number',
  run(snapshot, index) {
    const carrier = snapshot.carrier;
    if (!carrier?.regions) return [];
    const region = snapshot.settings.defaultRegion ?? carrier.regions[0];
    return index.carrierRecords
      .filter((record) => record.region === null)
      .map((record) =>
        numberFinding(record, {
          check: 'carrier-region-missing',
          severity: 'warning',
          problem: `no inbound processing region is known for it at ${carrier.displayName}`,
          impact: 'calls may be processed far from the callers and the platform (latency, data residency)',
          fix: snapshot.command(`region ${record.e164} ${region}`),
        }),
      );
  },
};

export const carrierRegionDiffers: Check = {
  id: 'carrier-region-differs',
  severity: 'warning',
  scope: 'number',
  run(snapshot, index) {
    const wanted = snapshot.settings.defaultRegion;
    if (!snapshot.carrier?.regions || wanted === null) return [];
    return index.carrierRecords
      .filter((record) => record.region !== null && record.region.toLowerCase() !== wanted)
      .map((record) =>
        numberFinding(record, {
          check: 'carrier-region-differs',
          severity: 'warning',
          problem: `its inbound processing region is ${record.region}, not the team's default-region ${wanted}`,
          impact: 'its calls are processed in another region than the team chose (latency, data residency)',
          fix: snapshot.command(`region ${record.e164} ${wanted}`),
          manual: 'if this number is meant to differ, leave it',
        }),
      );
  },
};
