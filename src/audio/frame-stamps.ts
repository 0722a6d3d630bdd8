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

/**
 * Stamps the reports of a frame counter and hands them on. The worker starts at construction, so
 * it is running by the time the counter's first reports come ({@link attach}): reports queued
 * while it started would arrive in a burst, all late.
 */
export class FrameStamps {
  private worker: Worker | null = null;
  /** The channel's end for the counter, until {@link attach} hands it over. */
  private counterSide: MessagePort | null = null;
  private counterPort: MessagePort | null = null;

  constructor(private readonly onReports: (reports: readonly RenderFrameReport[]) => void) {
    try {
      this.worker = new Worker(new URL('./frame-stamp.worker.ts', import.meta.url), { type: 'module', name: 'tutti-frame-stamps' });
    } catch (error) {
      console.warn('[tutti] frame counter: no worker, stamping on the main thread', error);
      return;
    }
    const channel = new MessageChannel();
    this.counterSide = channel.port1;
    this.worker.onmessage = (e: MessageEvent<FrameBatch>) => {
      const { frames, arrivalsEpochMs } = e.data;
      this.onReports(frames.map((frame, i) => ({ frame, arrivalPerfMs: arrivalsEpochMs[i]! - performance.timeOrigin })));
    };
    this.worker.onerror = (error) => {
      console.warn('[tutti] frame counter: worker failed, stamping on the main thread', error);
      this.worker?.terminate();
      this.worker = null;
      this.counterSide = null;
      if (this.counterPort === null) return;
      this.counterPort.postMessage({ port: null });
      this.stampOnMainThread(this.counterPort);
    };
    this.worker.postMessage({ port: channel.port2 }, [channel.port2]);
  }

  /** Takes the reports posted on `counterPort` (the frame counter's own port): through the worker, or here without one. */
  attach(counterPort: MessagePort): void {
    this.counterPort = counterPort;
    if (this.worker === null || this.counterSide === null) return this.stampOnMainThread(counterPort);
    counterPort.postMessage({ port: this.counterSide }, [this.counterSide]);
    this.counterSide = null;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    if (this.counterPort !== null) this.counterPort.onmessage = null;
  }

  private stampOnMainThread(counterPort: MessagePort): void {
    counterPort.onmessage = (e: MessageEvent<number>) => this.onReports([{ frame: e.data, arrivalPerfMs: performance.now() }]);
  }
}
