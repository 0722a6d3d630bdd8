/**
 * Web Worker that renders the built-in demo track (src/media/demo-track.ts) off the main thread.
 * Waits for `{ type: 'start', firstSec, parts }` (see `DemoWorkerRequest`), then posts
 * `{ type: 'progress', fraction }` about every 1 %, `{ type: 'part', … }` as the frames from
 * `firstSec` grow (when asked for), then `{ type: 'done', bytes }` (the WAV, its buffer
 * transferred) or `{ type: 'error', message }`.
 */
import { renderDemoTrackWavSteps } from '../media/demo-track.js';
import { DemoPartCutter } from '../media/demo-track-parts.js';
import type { DemoWorkerMessage, DemoWorkerRequest } from './demo-track-render.js';

const scope = self as unknown as {
  postMessage(message: DemoWorkerMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<DemoWorkerRequest>) => void) | null;
};

function render(request: DemoWorkerRequest): void {
  try {
    const steps = renderDemoTrackWavSteps({}, { firstSec: request.firstSec });
    const cutter = request.parts ? new DemoPartCutter() : null;
    let reported = 0;
    for (;;) {
      const step = steps.next();
      if (step.done === true) {
        scope.postMessage({ type: 'done', bytes: step.value }, [step.value.buffer as ArrayBuffer]);
        break;
      }
      const part = cutter?.next(step.value) ?? null;
      if (part !== null) scope.postMessage({ type: 'part', startSec: part.startSec, durationSec: step.value.totalFrames / step.value.writer.layout.sampleRateHz, bytes: part.bytes }, [part.bytes.buffer as ArrayBuffer]);
      const fraction = step.value.renderedFrames / step.value.totalFrames;
      if (fraction - reported >= 0.01) {
        reported = fraction;
        scope.postMessage({ type: 'progress', fraction });
      }
    }
  } catch (error) {
    scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

scope.onmessage = (event) => {
  scope.onmessage = null;
  render(event.data);
};
