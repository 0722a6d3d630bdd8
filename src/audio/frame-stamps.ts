/**
 * Where the worklet frame counter's reports are stamped with their arrival time: in a Web Worker
 * ({@link FrameStamps}; frame-stamp.worker.ts), whose idle event loop keeps the arrival delay's
 * floor steady, or on the main thread where no worker starts. The render clock is the lower
 * envelope of these arrivals, so a floor that moves with the page's load moves the clock.
 * In a cross-origin isolated page the counter writes its frame to shared memory that the worker
 * waits on (no message from the real-time thread, see worklet-source.ts); elsewhere it posts.
 */
import type { RenderFrameReport } from '../sync/output-render-clock.js';
import { SHARED_FRAME_LAYOUT } from './worklet-source.js';

/** How the counter hands its frames over: 'shared' memory when the page may have it, else 'message'. */
export type FrameTransport = 'shared' | 'message';

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
  /** The counter's shared memory (the 'shared' transport), else null. */
  private readonly shared: SharedArrayBuffer | null = null;

  /** @param wanted 'message' forces posting even where shared memory is available (comparisons). */
  constructor(private readonly onReports: (reports: readonly RenderFrameReport[]) => void, wanted: FrameTransport = 'shared') {
    try {
      this.worker = new Worker(new URL('./frame-stamp.worker.ts', import.meta.url), { type: 'module', name: 'tutti-frame-stamps' });
    } catch (error) {
      console.warn('[tutti] frame counter: no worker, stamping on the main thread', error);
      return;
    }
    this.worker.onmessage = (e: MessageEvent<FrameBatch>) => {
      const { frames, arrivalsEpochMs } = e.data;
      this.onReports(frames.map((frame, i) => ({ frame, arrivalPerfMs: arrivalsEpochMs[i]! - performance.timeOrigin })));
    };
    this.worker.onerror = (error) => {
      console.warn('[tutti] frame counter: worker failed, stamping on the main thread', error);
      this.worker?.terminate();
      this.worker = null;
      this.counterSide = null;
      if (this.counterPort !== null) this.stampOnMainThread(this.counterPort);
    };
    if (wanted === 'shared' && sharedMemoryAvailable()) {
      this.shared = new SharedArrayBuffer(SHARED_FRAME_LAYOUT.bytes);
      this.worker.postMessage({ shared: this.shared });
      return;
    }
    const channel = new MessageChannel();
    this.counterSide = channel.port1;
    this.worker.postMessage({ port: channel.port2 }, [channel.port2]);
  }

  /** How the counter reports: write its frame to shared memory, else post on its port. */
  get transport(): FrameTransport {
    return this.shared !== null && this.worker !== null ? 'shared' : 'message';
  }

  /** The frame counter's processorOptions: the shared memory to write to, or how often to post. */
  counterOptions(postEveryQuanta: number): { readonly shared: SharedArrayBuffer } | { readonly every: number } {
    return this.transport === 'shared' ? { shared: this.shared! } : { every: postEveryQuanta };
  }

  /**
   * The counter could not be made with shared memory (a browser that cannot pass it to the
   * worklet): the worker, blocked on that memory, ends, and the counter posts to the main thread.
   */
  abandonShared(): void {
    if (this.shared === null || this.worker === null) return;
    this.worker.terminate();
    this.worker = null;
  }

  /**
   * Takes the reports of the counter whose port is `counterPort`: from its shared memory or its
   * posts, through the worker, or posted and stamped here without one.
   */
  attach(counterPort: MessagePort): void {
    this.counterPort = counterPort;
    if (this.worker === null) return this.stampOnMainThread(counterPort);
    if (this.shared !== null || this.counterSide === null) return;
    counterPort.postMessage({ port: this.counterSide }, [this.counterSide]);
    this.counterSide = null;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    if (this.counterPort !== null) this.counterPort.onmessage = null;
  }

  /** The counter goes back to posting on its own port (`{ port: null }`), stamped here. */
  private stampOnMainThread(counterPort: MessagePort): void {
    counterPort.postMessage({ port: null });
    counterPort.onmessage = (e: MessageEvent<number>) => this.onReports([{ frame: e.data, arrivalPerfMs: performance.now() }]);
  }
}

/** SharedArrayBuffer exists and may be shared (the page is cross-origin isolated). */
function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;
}
