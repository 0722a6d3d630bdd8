/** Every feature that needs a joined room, started together and disposed together. */
import { startCalibration } from './calibration-feature.js';
import type { FeatureDeps } from './feature-deps.js';
import { startGroups } from './groups-feature.js';
import { startMobile } from './mobile-feature.js';
import { startVoice } from './voice-feature.js';

/** Starts the room features in order (groups first: voice and calibration address its speakers). */
export function startFeatures(deps: FeatureDeps): () => void {
  const groups = startGroups(deps);
  const disposers = [() => groups.dispose(), startVoice(deps, groups.control), startCalibration(deps), startMobile(deps)];
  return () => {
    for (const dispose of disposers.reverse()) dispose();
  };
}
