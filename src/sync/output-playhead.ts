/**
 * Which track position a playing AudioBufferSourceNode renders at each context time, from the
 * facts the engine controls: it started at `startSec` from `offsetSec`, and its playbackRate
 * (k-rate, so changes are made on render-quantum boundaries) changed at known times. Pure.
 */
import type { Seconds } from './units.js';

interface Segment {
  readonly atSec: Seconds;
  readonly positionSec: Seconds;
  readonly rate: number;
}

/** Piecewise-linear position of one source; rates are the float32 values the AudioParam holds. */
export class OutputPlayhead {
  private readonly segments: Segment[];

  /** @param rate initial playbackRate (e.g. Math.fround(1 + ppm·1e-6)), > 0 */
  constructor(readonly startSec: Seconds, readonly offsetSec: Seconds, rate: number) {
    this.segments = [{ atSec: startSec, positionSec: offsetSec, rate }];
  }

  /** Rate in effect at the end of the known changes. */
  get rate(): number {
    return this.last.rate;
  }

  /** The rate becomes `rate` at context time `atSec` (≥ the previous change; earlier ones are clamped to it). */
  setRate(atSec: Seconds, rate: number): void {
    const at = Math.max(atSec, this.last.atSec);
    this.segments.push({ atSec: at, positionSec: this.positionAt(at), rate });
  }

  /** Track position (s) rendered at context time `ctxSec` (extrapolated before the start). */
  positionAt(ctxSec: Seconds): Seconds {
    let seg = this.segments[0] as Segment;
    for (const s of this.segments) if (s.atSec <= ctxSec) seg = s;
    return seg.positionSec + (ctxSec - seg.atSec) * seg.rate;
  }

  /** Context time (s) at which track position `positionSec` is rendered: inverse of {@link positionAt}. */
  contextAt(positionSec: Seconds): Seconds {
    let seg = this.segments[0] as Segment;
    for (const s of this.segments) if (s.positionSec <= positionSec) seg = s;
    return seg.atSec + (positionSec - seg.positionSec) / seg.rate;
  }

  private get last(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }
}
