/**
 * Microphone capture read straight from the track (MediaStreamTrackProcessor → WebCodecs
 * AudioData), where the browser has it: every chunk comes with its capture timestamp, and no
 * audio context sits between the microphone and the recording.
 *
 * Why not only Web Audio (mic-capture.ts): there a FIFO bridges the microphone's clock and the
 * capture context's, and a context that falls behind loses render quanta; timing marks come from
 * the context's getOutputTimestamp(), which measured 3 ms RMS around its line on bench:calibrate's
 * listener, too noisy for a slope between probes a second apart. Capture timestamps place each
 * chunk on the page clock directly (see capture-timeline.ts).
 *
 * Memory: at most `maxKeptSec` of blocks are kept (older ones are dropped).
 */
import type { CapturedBlock } from '../sync/calibration-recording.js';
import { CaptureTimeline } from '../sync/capture-timeline.js';
import type { MicCapture, PerfMark } from './mic-capture.js';

/** The part of Chromium's MediaStreamTrackProcessor used (not in TypeScript's DOM library). */
interface TrackProcessor {
  readonly readable: ReadableStream<AudioData>;
}
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => TrackProcessor;

/** Chunks the browser may queue while the page is busy (10 ms each: 10 s) before it drops some. */
const MAX_QUEUED_CHUNKS = 1_000;

/** The browser's track processor, or null where there is none. */
export function trackProcessorConstructor(): TrackProcessorConstructor | null {
  const ctor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor }).MediaStreamTrackProcessor;
  return typeof ctor === 'function' ? ctor : null;
}

/** A running capture of `track` (mono: its first channel). Call `dispose()` to stop the track. */
export class TrackMicCapture implements MicCapture {
  private readonly kept: CapturedBlock[] = [];
  private readonly timeline = new CaptureTimeline();
  private readonly reader: ReadableStreamDefaultReader<AudioData>;
  private disposed = false;

  constructor(
    Processor: TrackProcessorConstructor,
    private readonly track: MediaStreamTrack,
    readonly rateHz: number,
    private readonly maxKeptSec: number,
  ) {
    this.reader = new Processor({ track, maxBufferSize: MAX_QUEUED_CHUNKS }).readable.getReader();
    void this.pump();
  }

  blocks(): readonly CapturedBlock[] {
    return this.kept;
  }

  marks(): readonly PerfMark[] {
    return this.timeline.marks();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.reader.cancel().catch(() => undefined);
    this.track.stop();
  }

  private async pump(): Promise<void> {
    while (!this.disposed) {
      let result: ReadableStreamReadResult<AudioData>;
      try {
        result = await this.reader.read();
      } catch {
        return;
      }
      if (result.done) return;
      const data = result.value;
      try {
        this.take(data);
      } finally {
        data.close();
      }
    }
  }

  private take(data: AudioData): void {
    if (this.disposed || data.sampleRate !== this.rateHz) return;
    const placed = this.timeline.place({ timestampUs: data.timestamp, frameCount: data.numberOfFrames, rateHz: data.sampleRate, arrivalPerfMs: performance.now() });
    if (placed === null) return;
    const samples = new Float32Array(data.numberOfFrames);
    data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
    this.kept.push({ frame: placed.frame, samples });
    const maxBlocks = Math.ceil((this.maxKeptSec * this.rateHz) / data.numberOfFrames);
    if (this.kept.length > maxBlocks) this.kept.splice(0, this.kept.length - maxBlocks);
  }
}
