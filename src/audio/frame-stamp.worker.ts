/**
 * Web Worker that stamps the worklet frame counter's reports as they arrive and forwards them in
 * batches (see frame-stamps.ts). Its event loop is idle, so the arrival delay's floor does not
 * depend on the page's main-thread load.
 * Waits for `{ port }` (the counter's channel); posts `{ frames, arrivalsEpochMs }` every
 * `FLUSH_EVERY` reports (≈ 23 ms at one per quantum), arrival = timeOrigin + now(), ms.
 */
import type { FrameBatch } from './frame-stamps.js';

const scope = self as unknown as {
  postMessage(message: FrameBatch): void;
  onmessage: ((event: MessageEvent<{ port: MessagePort }>) => void) | null;
};

/** Reports per batch. */
const FLUSH_EVERY = 8;

let frames: number[] = [];
let arrivals: number[] = [];

scope.onmessage = (event) => {
  event.data.port.onmessage = (report: MessageEvent<number>) => {
    frames.push(report.data);
    arrivals.push(performance.timeOrigin + performance.now());
    if (frames.length < FLUSH_EVERY) return;
    scope.postMessage({ frames, arrivalsEpochMs: arrivals });
    frames = [];
    arrivals = [];
  };
};
