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
  run(snapshot) {
    const carrier = snapshot.carrier;
    if (!carrier?.regions) return [];
    const region = snapshot.settings.defaultRegion ?? carrier.regions[0];
    return snapshot.fleet
      .carrierRecordsWithoutRegion()
      .filter((record) => record.region === null)
      .map((record) =>
        numberFinding(carrierRegionMissing, record, {
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
  run(snapshot) {
    const wanted = snapshot.settings.defaultRegion;
    if (!snapshot.carrier?.regions || wanted === null) return [];
    return snapshot.fleet
      .carrierRecordsOutside(wanted)
      .filter((record) => record.region !== null && record.region.toLowerCase() !== wanted)
      .map((record) =>
        numberFinding(carrierRegionDiffers, record, {
          problem: `its inbound processing region is ${record.region}, not the team's default-region ${wanted}`,
          impact: 'its calls are processed in another region than the team chose (latency, data residency)',
          fix: snapshot.command(`region ${record.e164} ${wanted}`),
          manual: 'if this number is meant to differ, leave it',
        }),
      );
  },
};
