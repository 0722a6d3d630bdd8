/**
 * The output timing's fine repair downward of a latency not yet proven: readings judged on a
 * mature render line that lie below it, beyond their own noise, replace it. Chromium's
 * ramping-latency bug only makes readings late, so readings that say "earlier" are worth following
 * finely: bench:sync's speakers kept start-up latencies 2 ms high for 28 s (the quick rule needs a
 * 2 ms gap). Only steady readings count (robust spread within `maxSpreadMs`, over `minSpanMs`):
 * after a system-wide glitch, readings scattered 4–13 ms low for seconds while the output was
 * right, and following them played 14 ms late. Pure.
 */
import { median } from './median.js';
import type { ImpliedReading } from './output-disagreement.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link FollowDown}. */
export interface FollowDownOptions {
  /** The latest this many readings are judged together… */
  readonly readings: number;
  /** …and replace the latency when their median lies more than this below it (ms), and beyond their noise… */
  readonly minGapMs: Milliseconds;
  /** …if their robust standard deviation (1.4826 × MAD) is at most this, ms… */
  readonly maxSpreadMs: Milliseconds;
  /** …and they span at least this long (heard time), ms: a dip of a second or two is no level. */
  readonly minSpanMs: Milliseconds;
}

/** A gap must exceed this many standard errors of the median. */
const NOISE_SES = 3;
/** Share of the readings that must lie below the latency. */
const BELOW_SHARE = 0.75;

/** The rule; see the module comment. */
export class FollowDown {
  constructor(private readonly options: FollowDownOptions) {}

  /** The latest of `recent` (oldest first) to take as the new baseline if they lie below `latencyMs` beyond noise; else null. */
  check(recent: readonly ImpliedReading[], latencyMs: Milliseconds): readonly ImpliedReading[] | null {
    const o = this.options;
    if (recent.length < o.readings || !Number.isFinite(latencyMs)) return null;
    const latest = recent.slice(-o.readings);
    const first = latest[0]!;
    const last = latest[latest.length - 1]!;
    if (last.perfMs - first.perfMs < o.minSpanMs) return null;
    const implied = latest.map((r) => r.impliedMs);
    const mid = median(implied);
    const spread = 1.4826 * median(implied.map((v) => Math.abs(v - mid)));
    const seMs = (1.25 * spread) / Math.sqrt(implied.length);
    const below = implied.filter((v) => v < latencyMs).length;
    if (spread > o.maxSpreadMs || latencyMs - mid <= Math.max(o.minGapMs, NOISE_SES * seMs) || below < BELOW_SHARE * implied.length) return null;
    return latest;
  }
}
