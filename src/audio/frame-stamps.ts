/**
 * Where the worklet frame counter's reports are stamped with their arrival time: in a Web Worker
 * ({@link FrameStamps}; frame-stamp.worker.ts), whose idle event loop keeps the arrival delay's
 * floor steady, or on the main thread where no worker starts. The render clock is the lower
 * envelope of these arrivals, so a floor that moves with the page's load moves the clock.
 */
import type { RenderFrameReport } from '../sync/output-render-clock.js';

/** A batch of reports from the worker: frames and their arrival times, ms since the epoch (timeOrigin + now()). */
export interface FrameBatch {
  readonly frames: readonly number[];
  readonly arrivalsEpochMs: readonly number[];
}

/** Stamps the reports posted on `counterPort` (the frame counter's own port) and hands them on. */
export class FrameStamps {
  private worker: Worker | null = null;

  constructor(
    private readonly counterPort: MessagePort,
    private readonly onReports: (reports: readonly RenderFrameReport[]) => void,
  ) {
    try {
      this.worker = new Worker(new URL('./frame-stamp.worker.ts', import.meta.url), { type: 'module', name: 'tutti-frame-stamps' });
    } catch (error) {
      console.warn('[tutti] frame counter: no worker, stamping on the main thread', error);
      this.stampOnMainThread();
      return;
    }
    const channel = new MessageChannel();
    this.worker.onmessage = (e: MessageEvent<FrameBatch>) => {
      const { frames, arrivalsEpochMs } = e.data;
      this.onReports(frames.map((frame, i) => ({ frame, arrivalPerfMs: arrivalsEpochMs[i]! - performance.timeOrigin })));
    };
    this.worker.onerror = (error) => {
      console.warn('[tutti] frame counter: worker failed, stamping on the main thread', error);
      this.worker?.terminate();
      this.worker = null;
      this.counterPort.postMessage({ port: null });
      this.stampOnMainThread();
    };
    this.worker.postMessage({ port: channel.port2 }, [channel.port2]);
    this.counterPort.postMessage({ port: channel.port1 }, [channel.port1]);
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.counterPort.onmessage = null;
  }

  private stampOnMainThread(): void {
    this.counterPort.onmessage = (e: MessageEvent<number>) => this.onReports([{ frame: e.data, arrivalPerfMs: performance.now() }]);
  }
}
