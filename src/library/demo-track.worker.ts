/**
 * Web Worker that renders the built-in demo track (src/media/demo-track.ts) off the main thread.
 * Waits for `{ type: 'start', firstSec, parts }` (see `DemoWorkerRequest`), then posts
 * `{ type: 'progress', fraction }` about every 1 %, `{ type: 'part', … }` as the frames from
 * `firstSec` grow (when asked for; a joiner's, from a position, render at most 6× real time once
 * the first is out), then `{ type: 'done', bytes }` (the WAV, its buffer transferred) or
 * `{ type: 'error', message }`.
 */
import { renderDemoTrackWavSteps } from '../media/demo-track.js';
import { DemoPartCutter } from '../media/demo-track-parts.js';
import type { DemoWorkerMessage, DemoWorkerRequest } from './demo-track-render.js';

const scope = self as unknown as {
  postMessage(message: DemoWorkerMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<DemoWorkerRequest>) => void) | null;
};

/**
 * Once a joiner's first part is out, the rest renders at most this many times faster than real
 * time: at full speed the render starved the joiner's own audio on a 2-core machine (136
 * underruns and 10 render-clock restarts while it played its first parts), and the parts stay far
 * ahead of the music at this pace.
 */
const JOINER_MAX_SPEED = 6;

async function render(request: DemoWorkerRequest): Promise<void> {
  try {
    const steps = renderDemoTrackWavSteps({}, { firstSec: request.firstSec });
    const cutter = request.parts ? new DemoPartCutter() : null;
    const paced = request.parts && request.firstSec > 0;
    let pacedFromMs: number | null = null;
    let pacedFromFrames = 0;
    let reported = 0;
    for (;;) {
      const step = steps.next();
      if (step.done === true) {
        scope.postMessage({ type: 'done', bytes: step.value }, [step.value.buffer as ArrayBuffer]);
        break;
      }
      const part = cutter?.next(step.value) ?? null;
      if (part !== null) {
        scope.postMessage({ type: 'part', part }, [part.bytes.buffer as ArrayBuffer]);
        if (paced && pacedFromMs === null) {
          pacedFromMs = performance.now();
          pacedFromFrames = step.value.renderedFrames;
        }
      }
      const fraction = step.value.renderedFrames / step.value.totalFrames;
      if (fraction - reported >= 0.01) {
        reported = fraction;
        scope.postMessage({ type: 'progress', fraction });
      }
      if (pacedFromMs !== null) {
        const dueMs = ((step.value.renderedFrames - pacedFromFrames) / step.value.writer.layout.sampleRateHz / JOINER_MAX_SPEED) * 1000;
        const aheadMs = dueMs - (performance.now() - pacedFromMs);
        if (aheadMs > 0) await new Promise((resolve) => setTimeout(resolve, aheadMs));
      }
    }
  } catch (error) {
    scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

scope.onmessage = (event) => {
  scope.onmessage = null;
  void render(event.data);
};
