/**
 * Web Worker that renders the built-in demo track (src/media/demo-track.ts) off the main thread.
 * Posts `{ type: 'progress', fraction }` about every 1 %, then `{ type: 'done', bytes }` (the WAV,
 * its buffer transferred) or `{ type: 'error', message }`.
 */
import { renderDemoTrackWavSteps } from '../media/demo-track.js';
import type { DemoWorkerMessage } from './demo-track-render.js';

const scope = self as unknown as { postMessage(message: DemoWorkerMessage, transfer?: Transferable[]): void };

try {
  const steps = renderDemoTrackWavSteps();
  let reported = 0;
  for (;;) {
    const step = steps.next();
    if (step.done === true) {
      scope.postMessage({ type: 'done', bytes: step.value }, [step.value.buffer as ArrayBuffer]);
      break;
    }
    const fraction = step.value.renderedFrames / step.value.totalFrames;
    if (fraction - reported >= 0.01) {
      reported = fraction;
      scope.postMessage({ type: 'progress', fraction });
    }
  }
} catch (error) {
  scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
