/**
 * Web Worker that stamps the worklet frame counter's reports as they arrive and forwards them in
 * batches (see frame-stamps.ts). Its event loop is idle, so the arrival delay's floor does not
 * depend on the page's main-thread load.
 * - `{ shared }` (a SharedArrayBuffer laid out as SHARED_FRAME_LAYOUT): blocks in `Atomics.wait`
 *   on the counter's sequence and stamps the newest frame at each wake (a render burst of several
 *   quanta gives one or two reports);
 * - `{ port }` (the counter's channel): stamps each posted frame.
 * Posts `{ frames, arrivalsEpochMs }` at most every {@link FLUSH_MS}, arrival = timeOrigin + now(), ms.
 */
import type { FrameBatch } from './frame-stamps.js';
import { SHARED_FRAME_LAYOUT } from './worklet-source.js';

const scope = self as unknown as {
  postMessage(message: FrameBatch): void;
  onmessage: ((event: MessageEvent<{ port: MessagePort } | { shared: SharedArrayBuffer }>) => void) | null;
};

/** A batch goes out once its first report is this old, ms (≈ 8 quanta at 48 kHz). */
const FLUSH_MS = 20;
/** Atomics.wait gives up after this long without a quantum (a suspended context), ms. */
const IDLE_WAIT_MS = 1_000;

let frames: number[] = [];
let arrivals: number[] = [];

function stamp(frame: number): void {
  const arrivalEpochMs = performance.timeOrigin + performance.now();
  frames.push(frame);
  arrivals.push(arrivalEpochMs);
  if (arrivalEpochMs - arrivals[0]! < FLUSH_MS) return;
  scope.postMessage({ frames, arrivalsEpochMs: arrivals });
  frames = [];
  arrivals = [];
}

/** Never returns: the worker is terminated with its owner. */
function waitOnShared(shared: SharedArrayBuffer): void {
  const sequence = new Int32Array(shared);
  const frame = new Float64Array(shared);
  const { sequenceIndex, frameIndex } = SHARED_FRAME_LAYOUT;
  let seen = Atomics.load(sequence, sequenceIndex);
  for (;;) {
    Atomics.wait(sequence, sequenceIndex, seen, IDLE_WAIT_MS);
    const before = Atomics.load(sequence, sequenceIndex);
    if (before === seen || before % 2 !== 0) continue;
    const value = frame[frameIndex]!;
    // A write that began meanwhile may have torn the frame: take the next one instead.
    if (Atomics.load(sequence, sequenceIndex) !== before) continue;
    seen = before;
    stamp(value);
  }
}

scope.onmessage = (event) => {
  const data = event.data;
  if ('shared' in data) return waitOnShared(data.shared);
  data.port.onmessage = (report: MessageEvent<number>) => stamp(report.data);
};
