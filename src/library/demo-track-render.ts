/**
 * Rendering the built-in demo track: in a Web Worker (a 180 s WAV takes seconds of CPU), falling
 * back to the main thread, in slices that yield to the event loop, when no worker can be started.
 */
import type { DemoPart } from '../media/demo-track-parts.js';

/**
 * Content id (SHA-256) of the default demo track WAV: every device renders these exact bytes, so
 * rooms can name the demo track without transferring it.
 */
export { DEMO_TRACK_ID } from '../media/demo-track-info.js';

export type { DemoPart } from '../media/demo-track-parts.js';

/**
 * Where to render from first, and who plays parts meanwhile: a speaker joining the demo while it
 * is not made yet renders from the room's position and plays that before the whole is made.
 */
export interface DemoRenderOrder {
  /** Track position to render first, s (then the start); 0 by default. */
  readonly firstSec?: number;
  /** Called with each longer part (from `firstSec`) while the track renders. */
  readonly onPart?: (part: DemoPart) => void;
}

/** Renders the default demo track WAV; `onProgress` gets the rendered fraction 0…1. */
export type RenderDemoTrack = (onProgress: (fraction: number) => void, order?: DemoRenderOrder) => Promise<Uint8Array>;

/** The message that starts demo-track.worker.ts. */
export interface DemoWorkerRequest {
  readonly type: 'start';
  readonly firstSec: number;
  /** Post parts as they grow. */
  readonly parts: boolean;
}

/** Messages from demo-track.worker.ts. */
export type DemoWorkerMessage =
  | { readonly type: 'progress'; readonly fraction: number }
  | { readonly type: 'part'; readonly part: DemoPart }
  | { readonly type: 'done'; readonly bytes: Uint8Array }
  | { readonly type: 'error'; readonly message: string };

/** Longest main-thread slice of the fallback before yielding to the event loop. */
const SLICE_MS = 30;

/** Starts the demo's module Web Worker (it waits for a {@link DemoWorkerRequest}), or null when none can start. */
function startDemoWorker(): Worker | null {
  try {
    return new Worker(new URL('./demo-track.worker.ts', import.meta.url), { type: 'module', name: 'tutti-demo-track' });
  } catch (error) {
    console.warn('[tutti] demo track: no worker, rendering on the main thread', error);
    return null;
  }
}

/**
 * Renders the demo track in a module Web Worker, falling back to `renderDemoTrackOnMainThread` when
 * the worker cannot start or fails. A worker started ahead ({@link warm}) has loaded its code when
 * the render is ordered: a joiner of a room playing the demo orders it ~0.1 s after it learns so,
 * and a cold worker's first part came 0.27–0.36 s after the order on an idle machine (0.17–0.29 s
 * warm); in bench:sync joins, 1.07 s cold and 0.61 s warm. One render at a time; {@link dispose}
 * ends a spare worker (not one rendering).
 */
export class DemoWorkerRenderer {
  private spare: Worker | null = null;

  /** Starts a worker now for the next render (no-op when one waits). */
  warm(): void {
    this.spare ??= startDemoWorker();
  }

  readonly render: RenderDemoTrack = (onProgress, order = {}) => {
    const worker = this.spare ?? startDemoWorker();
    this.spare = null;
    if (worker === null) return renderDemoTrackOnMainThread(onProgress, order);
    return new Promise<Uint8Array>((resolve, reject) => {
      const fallBack = (why: unknown): void => {
        worker.terminate();
        console.warn('[tutti] demo track: worker failed, rendering on the main thread', why);
        renderDemoTrackOnMainThread(onProgress, order).then(resolve, reject);
      };
      worker.onmessage = (event: MessageEvent<DemoWorkerMessage>) => {
        const message = event.data;
        if (message.type === 'progress') onProgress(message.fraction);
        else if (message.type === 'part') order.onPart?.(message.part);
        else if (message.type === 'error') fallBack(message.message);
        else {
          worker.terminate();
          resolve(message.bytes);
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        fallBack(event.message);
      };
      const request: DemoWorkerRequest = { type: 'start', firstSec: order.firstSec ?? 0, parts: order.onPart !== undefined };
      worker.postMessage(request);
    });
  };

  dispose(): void {
    this.spare?.terminate();
    this.spare = null;
  }
}

/** Renders on the main thread in slices of about `SLICE_MS`, yielding between them (the synthesizer loads lazily). */
export async function renderDemoTrackOnMainThread(onProgress: (fraction: number) => void, order: DemoRenderOrder = {}): Promise<Uint8Array> {
  const [{ renderDemoTrackWavSteps }, { DemoPartCutter }] = await Promise.all([import('../media/demo-track.js'), import('../media/demo-track-parts.js')]);
  const steps = renderDemoTrackWavSteps({}, { firstSec: order.firstSec });
  const cutter = order.onPart !== undefined ? new DemoPartCutter() : null;
  for (;;) {
    const sliceStartMs = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
      const part = cutter?.next(step.value) ?? null;
      if (part !== null) order.onPart?.(part);
      if (performance.now() - sliceStartMs >= SLICE_MS) {
        onProgress(step.value.renderedFrames / step.value.totalFrames);
        break;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
