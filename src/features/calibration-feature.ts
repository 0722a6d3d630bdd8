/** The calibration feature's wiring into the app (see feature-deps.ts). */
import type { FeatureDeps } from './feature-deps.js';

export function startCalibration(_deps: FeatureDeps): () => void {
  return () => {};
}
