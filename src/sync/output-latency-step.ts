/**
 * Step detection for the output timing's latency: a rejected reading that jumps at least
 * `stepMinMs` from the previous one starts a departure, if that previous reading lay at the level
 * in use (within `toleranceMs`): after a glitch the readings wander before they settle (seen: 42,
 * 51, then 62 ms for a latency of 57), and a step measured from a wandering reading moved the
 * latency 11 ms the wrong way. While the readings stay at least `stepMinMs` off that level on the
 * same side, the departure lasts, and its readings within `toleranceMs` of their median form a run
 * (which may start over {@link MAX_RUN_RESTARTS} times); `confirmReadings` of them confirm a step
 * of (run median − level before the jump), as when the output moves to a new route. (A render line
 * restarted at the step maps its first readings roughly: in simulation a 4.7 ms step read −6.8,
 * then −4.7 ms, and a run that the first reading broke left the step to the 10 s flat net.) Pure.
 */
import { median } from './median.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link LatencyStep}. */
export interface LatencyStepOptions {
  /** A step starts with a jump of at least this between consecutive readings, ms… */
  readonly stepMinMs: Milliseconds;
  /** …and is confirmed by this many consecutive readings within toleranceMs of each other. */
  readonly confirmReadings: number;
  /**
   * An upward step smaller than `smallUpMs`, or a downward one larger than `bigDownMs`, needs this
   * many instead. Glitches make readings jump a few ms late and decay, and a plateau of theirs
   * passed for a step (bench:sync: +4.2 ms taken on a proven latency, 5 ms early until the readings
   * fell back); a new route that adds latency adds tens of ms (Bluetooth: 100–300). Down, the
   * render line's move at the press read 2.2–5.5 ms, while glitch dips read 4–13 ms (bench:sync: an
   * 11.5 ms dip at the press taken as a step left the leader off for 45 s).
   */
  readonly slowConfirmReadings: number;
  readonly smallUpMs: Milliseconds;
  readonly bigDownMs: Milliseconds;
  readonly toleranceMs: Milliseconds;
}

/**
 * A departure's run may start over this many times (its first readings rough), no more: the slow
 * tail of a glitch's decaying readings is steady too, and is no step (simulation: a run formed 9 s
 * into one moved a proven latency 2.8 ms).
 */
const MAX_RUN_RESTARTS = 2;

/** A run of rejected readings that may be a step; see the module comment. */
export class LatencyStep {
  private departure: { preLevel: Milliseconds; side: 1 | -1; values: Milliseconds[]; restarts: number } | null = null;

  constructor(private readonly options: LatencyStepOptions) {}

  /**
   * A rejected reading's implied latency, the one before it (null if none) and the latency in
   * use, ms. Returns the confirmed step (ms, to add to the latency), or null. `settling`: the
   * readings still trend, and nothing is confirmed (bench:sync: after underruns at the press a
   * speaker's readings rose 13 ms, held within 1 ms for 1.5 s, rose again and decayed; the step
   * taken on the pause played 15 ms early for 7 s).
   */
  add(implied: Milliseconds, previous: Milliseconds | null, levelMs: Milliseconds, settling = false): Milliseconds | null {
    const o = this.options;
    const d = this.departure;
    const continues = d !== null && d.side * (implied - d.preLevel) >= o.stepMinMs;
    if (continues && Math.abs(implied - median(d.values)) <= o.toleranceMs) {
      d.values.push(implied);
    } else if (continues && d.restarts < MAX_RUN_RESTARTS) {
      d.values = [implied];
      d.restarts++;
    } else if (previous !== null && Math.abs(previous - levelMs) <= o.toleranceMs && Math.abs(implied - previous) >= o.stepMinMs) {
      this.departure = { preLevel: previous, side: implied > previous ? 1 : -1, values: [implied], restarts: 0 };
    } else {
      this.departure = null;
    }
    const current = this.departure;
    if (current === null || settling) return null;
    const stepMs = median(current.values) - current.preLevel;
    const slow = (stepMs > 0 && stepMs < o.smallUpMs) || stepMs < -o.bigDownMs;
    const needed = slow ? o.slowConfirmReadings : o.confirmReadings;
    if (current.values.length < needed) return null;
    this.departure = null;
    return stepMs;
  }

  /** Forget the departure. */
  reset(): void {
    this.departure = null;
  }
}
