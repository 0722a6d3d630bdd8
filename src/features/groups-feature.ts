/** The groups feature's wiring into the app (see feature-deps.ts). */
import type { FeatureDeps } from './feature-deps.js';

export function startGroups(_deps: FeatureDeps): () => void {
  return () => {};
}
