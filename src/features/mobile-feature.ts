/** The mobile survival kit's wiring into the app (see feature-deps.ts). */
import type { FeatureDeps } from './feature-deps.js';

export function startMobile(_deps: FeatureDeps): () => void {
  return () => {};
}
