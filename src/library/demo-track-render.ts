/**
 * Rendering the built-in demo track: in a Web Worker (a 180 s WAV takes seconds of CPU), falling
 * back to the main thread, in slices that yield to the event loop, when no worker can be started.
 */

/**
 * Content id (SHA-256) of the default demo track WAV: every device renders these exact bytes, so
 * rooms can name the demo track without transferring it.
 */
export { DEMO_TRACK_ID } from '../media/demo-track-info.js';

/** Renders the default demo track WAV; `onProgress` gets the rendered fraction 0…1. */
export type RenderDemoTrack = (onProgress: (fraction: number) => void) => Promise<Uint8Array>;

/** Messages from demo-track.worker.ts. */
export type DemoWorkerMessage =
  | { readonly type: 'progress'; readonly fraction: number }
  | { readonly type: 'done'; readonly bytes: Uint8Array }
  | { readonly type: 'error'; readonly message: string };

/** Longest main-thread slice of the fallback before yielding to the event loop. */
const SLICE_MS = 30;

/** Renders in a module Web Worker; falls back to `renderDemoTrackOnMainThread` when the worker cannot start or fails. */
export const renderDemoTrackInWorker: RenderDemoTrack = (onProgress) => {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./demo-track.worker.ts', import.meta.url), { type: 'module', name: 'tutti-demo-track' });
  } catch (error) {
    console.warn('[tutti] demo track: no worker, rendering on the main thread', error);
    return renderDemoTrackOnMainThread(onProgress);
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const fallBack = (why: unknown): void => {
      worker.terminate();
      console.warn('[tutti] demo track: worker failed, rendering on the main thread', why);
      renderDemoTrackOnMainThread(onProgress).then(resolve, reject);
    };
    worker.onmessage = (event: MessageEvent<DemoWorkerMessage>) => {
      const message = event.data;
      if (message.type === 'progress') onProgress(message.fraction);
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
  });
};

/** Renders on the main thread in slices of about `SLICE_MS`, yielding between them (the synthesizer loads lazily). */
export async function renderDemoTrackOnMainThread(onProgress: (fraction: number) => void): Promise<Uint8Array> {
  const { renderDemoTrackWavSteps } = await import('../media/demo-track.js');
  const steps = renderDemoTrackWavSteps();
  for (;;) {
    const sliceStartMs = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
      if (performance.now() - sliceStartMs >= SLICE_MS) {
        onProgress(step.value.renderedFrames / step.value.totalFrames);
        break;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
