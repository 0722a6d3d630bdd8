/** The voice feature's wiring into the app (see feature-deps.ts). */
import type { FeatureDeps } from './feature-deps.js';

export function startVoice(_deps: FeatureDeps): () => void {
  return () => {};
}
