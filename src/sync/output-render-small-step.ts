/**
 * Small steps of the output (0.5–3 ms), too small for the render line's own step rules
 * (RenderStepDetector: reports all 3 ms off), found by two measures that agree: the browser's
 * output timestamps jump and stay, and the frame counter's lower envelope moves with them.
 *
 * In a 10-minute bench:sync two speakers' outputs moved at once, by 3.2 and 1.6 ms (the rendered
 * audio). The first crossed 3 ms and was shifted within a second. The second was not: its
 * timestamps jumped 1.67 ms between two readings (their noise there ~0.01 ms), its envelope moved
 * 1.1–2.1 ms in every quarter second after, and its line bent to absorb the step as a rate (582 →
 * 558 ppm). It played 1.0 ms late for 6 s and then, the bent line's rate unlearned over a minute,
 * 0.2 ms early for 40 s.
 *
 * Either measure alone is not enough: the timestamps alone ramp or glitch in some processes
 * (a glitch comes back, a ramp never jumps), and quarter-second envelopes scatter by ±0.5 ms. So
 * a candidate is a reading that jumps at least `smallStepMs` from within half of it and the
 * readings after it that stay within `smallStepAgreeMs` of it; it is confirmed once
 * `smallStepConfirmMs` of reports arrived after it, the level of each half of them (the median of
 * its slices' lower envelopes) at least half the jump from that of the reports just before it (as
 * long), on the jump's side. The line then shifts by the readings' jump (the finer measure).
 * Pure: times are passed in.
 */
import { median } from './median.js';
import type { JudgedReport } from './output-render-step.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link SmallStepWatch} (part of RenderClockOptions). */
export interface SmallStepOptions {
  /**
   * A reading this far (ms) from the line's model, but less than `stepMs` (larger steps are
   * RenderStepDetector's), after one within half of it, starts a candidate (Infinity: off)…
   */
  readonly smallStepMs: Milliseconds;
  readonly stepMs: Milliseconds;
  /** …that the readings after it keep, within this of it (ms)… */
  readonly smallStepAgreeMs: Milliseconds;
  /** …while this much page time (ms) of reports arrives after it, their envelope moved with it. */
  readonly smallStepConfirmMs: Milliseconds;
}

/** A confirmed small step: the line moves by `deltaMs`; its buckets after frame time `sinceTMs` may hold either side. */
export interface SmallStep {
  readonly deltaMs: Milliseconds;
  readonly sinceTMs: Milliseconds;
}

interface Candidate {
  readonly deltaMs: Milliseconds;
  /** Page times of the reading that jumped and of the one before it, ms. */
  readonly atMs: Milliseconds;
  readonly beforeMs: Milliseconds;
  /** Newest frame time at the reading before the jump, ms: the output moved after it. */
  readonly sinceTMs: Milliseconds;
  agreeing: number;
}

/** Readings that must agree with a candidate (itself included) before it can be confirmed. */
const MIN_AGREEING = 2;
/** Reports needed in each span judged (before the jump, each half after it)… */
const MIN_REPORTS = 8;
/** …each taken as the median of the lower envelopes of its slices of about this long (page ms). */
const SLICE_MS = 250;
/** A candidate not confirmed within this many confirmation spans is dropped… */
const GIVE_UP_SPANS = 3;
/** …and reports are kept this many spans (its reports before the jump included). */
const KEEP_SPANS = GIVE_UP_SPANS + 2;

/** See the module comment. */
export class SmallStepWatch {
  private candidate: Candidate | null = null;
  private lastDeviationMs = Number.NaN;
  private lastReadingAtMs = Number.NaN;
  private lastReadingTMs = Number.NaN;
  private newestTMs = Number.NaN;
  /** Arrival time and residual of the latest reports (KEEP_SPANS confirmation spans, and up to one more). */
  private recent: Array<{ readonly arrivalMs: Milliseconds; readonly r: Milliseconds }> = [];

  constructor(private readonly o: SmallStepOptions) {}

  /**
   * A plausible reading judged on a steady, mature line: its implied latency minus the latency
   * heard (ms), read at page time `atPerfMs`.
   */
  reading(deviationMs: Milliseconds, atPerfMs: Milliseconds): void {
    const o = this.o;
    if (!Number.isFinite(deviationMs) || !Number.isFinite(atPerfMs)) return;
    const c = this.candidate;
    if (c !== null) {
      if (Math.abs(deviationMs - c.deltaMs) <= o.smallStepAgreeMs) c.agreeing++;
      else this.candidate = null;
    } else if (Math.abs(deviationMs) >= o.smallStepMs && Math.abs(deviationMs) < o.stepMs && Math.abs(this.lastDeviationMs) <= o.smallStepMs / 2 && Number.isFinite(this.lastReadingTMs)) {
      this.candidate = { deltaMs: deviationMs, atMs: atPerfMs, beforeMs: this.lastReadingAtMs, sinceTMs: this.lastReadingTMs, agreeing: 1 };
    }
    this.lastDeviationMs = deviationMs;
    this.lastReadingAtMs = atPerfMs;
    this.lastReadingTMs = this.newestTMs;
  }

  /** A report judged against the line; returns a confirmed step (the caller shifts the line), or null. */
  judge(report: JudgedReport): SmallStep | null {
    const o = this.o;
    this.newestTMs = report.tMs;
    this.recent.push({ arrivalMs: report.arrivalMs, r: report.r });
    // Trimmed a span at a time, not per report (this runs for every frame counter report).
    const keepFromMs = report.arrivalMs - KEEP_SPANS * o.smallStepConfirmMs;
    if (this.recent[0]!.arrivalMs < keepFromMs - o.smallStepConfirmMs) this.recent.splice(0, this.recent.findIndex((h) => h.arrivalMs >= keepFromMs));
    const c = this.candidate;
    if (c === null || report.arrivalMs - c.atMs < o.smallStepConfirmMs || c.agreeing < MIN_AGREEING) return null;
    if (report.arrivalMs - c.atMs > GIVE_UP_SPANS * o.smallStepConfirmMs) {
      this.candidate = null;
      return null;
    }
    // Lower envelopes over equal spans (a longer span reaches lower): before the jump, and the two
    // halves of the confirmation span after it.
    const spanMs = o.smallStepConfirmMs / 2;
    const before = this.envelope(c.beforeMs - spanMs, c.beforeMs);
    const early = this.envelope(c.atMs, c.atMs + spanMs);
    const late = this.envelope(c.atMs + spanMs, c.atMs + 2 * spanMs);
    if (before === null || early === null || late === null) return null;
    const side = Math.sign(c.deltaMs);
    const halfMs = Math.abs(c.deltaMs) / 2;
    // The spans are complete: confirmed or dropped.
    this.candidate = null;
    if ((early - before) * side < halfMs || (late - before) * side < halfMs) return null;
    return { deltaMs: c.deltaMs, sinceTMs: c.sinceTMs };
  }

  /** The line restarted or shifted: start afresh. */
  reset(): void {
    this.candidate = null;
    this.lastDeviationMs = Number.NaN;
    this.lastReadingAtMs = Number.NaN;
    this.lastReadingTMs = Number.NaN;
    this.recent = [];
  }

  /**
   * Level of the recent reports that arrived in [fromMs, toMs] (page ms): the median of the lower
   * envelopes of its SLICE_MS slices (one envelope scatters by ±0.5 ms on a quarter second),
   * or null when a slice has no report or all of them fewer than MIN_REPORTS.
   */
  private envelope(fromMs: Milliseconds, toMs: Milliseconds): Milliseconds | null {
    const slices = Math.max(1, Math.round((toMs - fromMs) / SLICE_MS));
    const mins = new Array<number>(slices).fill(Number.POSITIVE_INFINITY);
    let n = 0;
    const sliceMs = (toMs - fromMs) / slices;
    for (const h of this.recent) {
      if (h.arrivalMs < fromMs || h.arrivalMs > toMs) continue;
      const i = Math.min(slices - 1, Math.floor((h.arrivalMs - fromMs) / sliceMs));
      mins[i] = Math.min(mins[i]!, h.r);
      n++;
    }
    if (n < MIN_REPORTS || mins.some((m) => !Number.isFinite(m))) return null;
    return median(mins);
  }
}
