/**
 * A microphone capture read as timestamped chunks (WebCodecs AudioData from a track processor)
 * turned into what calibration needs: blocks placed by capture frame, and timing marks tying
 * frames to the page clock. Pure.
 *
 * Frames count the samples delivered, so they run on the microphone's own sample clock. A chunk
 * whose timestamp lies more than {@link LOSS_MIN_MS} past the previous one's end follows lost
 * audio: its frame skips the gap, so the analysis sees missing frames (and refuses the pass)
 * instead of a recording silently shifted after the loss. Smaller excesses are timestamp jitter
 * (one chunk came 16 ms late in a calibration e2e run, its neighbours on time), and the chunk
 * follows on.
 *
 * Timestamps are capture times on a monotonic clock whose zero is not the page's: the offset to
 * the page clock is bounded by the arrivals (a chunk cannot arrive before its last sample was
 * captured), and the tightest bound so far is used. An error in it moves every mark equally,
 * which calibration treats like the microphone's own latency (common to every speaker).
 */
import type { Milliseconds } from './units.js';

/** One chunk as read: its capture timestamp (µs), length and rate, and when the page got it. */
export interface CaptureChunk {
  readonly timestampUs: number;
  readonly frameCount: number;
  readonly rateHz: number;
  readonly arrivalPerfMs: Milliseconds;
}

/** Where a chunk's samples go: the capture frame of its first sample. */
export interface PlacedChunk {
  readonly frame: number;
  /** Frames skipped before it (audio lost since the previous chunk); 0 normally. */
  readonly gapFrames: number;
}

/** A capture frame and the page time at which it was captured. */
export interface CaptureMark {
  readonly frame: number;
  readonly perfMs: Milliseconds;
}

/** A timestamp this far (ms) past the previous chunk's end means lost audio; less is jitter. */
export const LOSS_MIN_MS: Milliseconds = 30;
/** Marks kept at most (one per chunk: 10 ms chunks make this 5 minutes). */
const MAX_MARKS = 30_000;

/** See the module comment. Feed chunks in arrival order. */
export class CaptureTimeline {
  private nextFrame = 0;
  private lastEndUs: number | null = null;
  /** Largest (capture end − arrival) seen, ms: timestamp ms − this = page ms (a lower bound on the delay). */
  private offsetMs = Number.NEGATIVE_INFINITY;
  private readonly stamps: { frame: number; timestampMs: Milliseconds }[] = [];
  private lostFrames = 0;

  /** Places the next chunk; null for a chunk that cannot be placed (bad numbers: ignore it). */
  place(chunk: CaptureChunk): PlacedChunk | null {
    const { timestampUs, frameCount, rateHz, arrivalPerfMs } = chunk;
    if (![timestampUs, frameCount, rateHz, arrivalPerfMs].every(Number.isFinite) || frameCount <= 0 || rateHz <= 0) return null;
    const durationUs = (frameCount / rateHz) * 1e6;
    let gapFrames = 0;
    if (this.lastEndUs !== null) {
      const gapUs = timestampUs - this.lastEndUs;
      if (gapUs > LOSS_MIN_MS * 1000) gapFrames = Math.round((gapUs / 1e6) * rateHz);
    }
    const frame = this.nextFrame + gapFrames;
    this.nextFrame = frame + frameCount;
    this.lastEndUs = timestampUs + durationUs;
    this.lostFrames += gapFrames;
    this.offsetMs = Math.max(this.offsetMs, (timestampUs + durationUs) / 1000 - arrivalPerfMs);
    this.stamps.push({ frame, timestampMs: timestampUs / 1000 });
    if (this.stamps.length > MAX_MARKS) this.stamps.splice(0, this.stamps.length - MAX_MARKS);
    return { frame, gapFrames };
  }

  /** Frames lost so far (skipped over gaps in the timestamps). */
  get lost(): number {
    return this.lostFrames;
  }

  /** One mark per chunk placed, on the page clock with the best offset so far (oldest first). */
  marks(): CaptureMark[] {
    const offsetMs = this.offsetMs;
    return this.stamps.map((s) => ({ frame: s.frame, perfMs: s.timestampMs - offsetMs }));
  }
}
