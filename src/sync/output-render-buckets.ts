/**
 * Where the render line's envelope buckets lie: on a grid of `bucketMs` of audio time, except that
 * a page's first line closes its first bucket early (see {@link RenderBucketOptions.firstBucketMs}).
 * Pure.
 */
import type { Milliseconds } from './units.js';

/** Bucket layout of the render line (part of RenderLineOptions). Durations in ms of audio time. */
export interface RenderBucketOptions {
  /**
   * Envelope buckets: the minimum of each bucket is one fit point. Must span the render
   * callback's phase cycle against the 128-frame quantum (441-frame callbacks: 128 callbacks,
   * 1.28 s), else bucket minima scatter by up to a quantum (2.9 ms).
   */
  readonly bucketMs: Milliseconds;
  /**
   * The first line's first bucket, from its first report, ms, when that leaves at least half as
   * much of the grid bucket it starts in: shorter, so a page's first line (a joiner's, from frame
   * 0) has a rate of its own sooner. The callback's phase steps 57 frames a callback against the
   * quantum, so even part of a phase cycle covers the phases finely: 100 callbacks (1 s) leave no
   * phase gap over 5 frames (0.11 ms) to bias the minimum; 30 leave 12 (0.27 ms).
   */
  readonly firstBucketMs: Milliseconds;
}

/**
 * The buckets of the current line. Indices grow with time: 2·(grid bucket) + (0 | 1 for the part
 * after the first bucket's split).
 */
export class RenderBucketGrid {
  private startMsValue = 0;
  /**
   * The output restarted since the first line: only the first line (a page's, which a joiner's
   * music waits on) splits its first bucket; later lines keep the grid their rules were tuned on
   * (split, a line after an underrun missed by 1.3 ms in simulation).
   */
  private restarted = false;

  constructor(private readonly o: RenderBucketOptions) {}

  /** Frame time of the line's first point, ms. */
  get startMs(): Milliseconds {
    return this.startMsValue;
  }

  /** A line begins with a point at frame time `tMs`. */
  begin(tMs: Milliseconds): void {
    this.startMsValue = tMs;
  }

  /** The output restarted: lines from now on keep the grid. */
  noteRestart(): void {
    this.restarted = true;
  }

  /** The bucket of a frame time. */
  index(tMs: Milliseconds): number {
    const grid = Math.floor(tMs / this.o.bucketMs);
    return 2 * grid + (grid === this.startGrid && tMs >= this.splitMs ? 1 : 0);
  }

  /** Frame time at which bucket `index` opens, ms. */
  startOf(index: number): Milliseconds {
    if (index % 2 === 1) return this.splitMs;
    const grid = index / 2;
    return grid === this.startGrid ? this.startMsValue : grid * this.o.bucketMs;
  }

  /** Grid bucket of the line's first point. */
  private get startGrid(): number {
    return Math.floor(this.startMsValue / this.o.bucketMs);
  }

  /**
   * Frame time that splits the line's first grid bucket, ms (Infinity: no split: not the first
   * line, or less than half of `firstBucketMs` would be left after it: a line reseeded 0.9 s into
   * the grid bucket had a 0.1 s second bucket, whose minimum, a few callbacks' worth, bent its
   * rate 700 ppm in bench:late-join).
   */
  private get splitMs(): Milliseconds {
    if (this.restarted) return Number.POSITIVE_INFINITY;
    const splitMs = this.startMsValue + this.o.firstBucketMs;
    return splitMs + this.o.firstBucketMs / 2 <= (this.startGrid + 1) * this.o.bucketMs ? splitMs : Number.POSITIVE_INFINITY;
  }
}
