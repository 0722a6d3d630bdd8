/**
 * Discontinuities of the render clock: the frame counter's reports all lying off the render line
 * on one side for a while (arrivals are one-sided, so a render burst always holds reports near
 * the line unless the line moved). A suspend or an underrun moves the line; a main-thread backlog
 * arrives at once and drains, so it never lasts. Pure: reports carry their own times.
 */
import type { Milliseconds } from './units.js';

/** Tuning of {@link RenderStepDetector} (part of RenderClockOptions). Durations in ms. */
export interface RenderStepOptions {
  /** Reports all further than this from the line (one side)… */
  readonly stepMs: Milliseconds;
  /** …arriving over this long are a discontinuity (suspend, underrun): restart. */
  readonly stepConfirmMs: Milliseconds;
  /**
   * A run whose lower envelope lies at least this far off the line (ms)… A main-thread delay
   * never holds a flat envelope that high: a backlog drains (its envelope falls), and between
   * long tasks some reports get through at once.
   */
  readonly bigStepMs: Milliseconds;
  /** …and is flat (the envelopes of its two halves within flatMs of each other)… */
  readonly flatMs: Milliseconds;
  /**
   * …over this long (arrival time, ms) is a discontinuity already, if one was hinted (an underrun
   * counted, a resume) since `hintBeforeMs` before the run began, where the browser gives hints at
   * all (see {@link RenderStepDetector.expectHints}). A render thread that falls behind without an
   * underrun is caught up by the output's buffer: its reports come back to the line, and nothing
   * was heard.
   */
  readonly bigStepConfirmMs: Milliseconds;
  readonly hintBeforeMs: Milliseconds;
  /** Whether a witness's word confirms a step at once (see RenderStepDetector.witness); else only the rules above do. */
  readonly witnessSteps: boolean;
}

/** A report as judged: frame time, y = arrival − frame time, arrival, and residual from the line, ms. */
export interface JudgedReport {
  readonly tMs: Milliseconds;
  readonly y: Milliseconds;
  readonly arrivalMs: Milliseconds;
  /** Residual from the line (which does not move during a run), ms. */
  readonly r: Milliseconds;
}

/** What to do with a report: fit it, hold it back, restart the line (then fit it). */
export const StepVerdict = { onLine: 'on-line', held: 'held', restart: 'restart' } as const;
/** The output moved by `deltaMs`, as a witness measured it: shift the line, then fit these reports. */
export interface WitnessedStep {
  readonly deltaMs: Milliseconds;
  readonly reports: readonly JudgedReport[];
}
/** A verdict, (a big step) restart the line and fit these reports instead, or shift it ({@link WitnessedStep}). */
export type StepVerdict = (typeof StepVerdict)[keyof typeof StepVerdict] | readonly JudgedReport[] | WitnessedStep;

/** A run of off-line reports this long (arrival time, ms) makes a step pending. */
const PENDING_RUN_MS = 100;
/** Reports of a run kept for the next line (a run lasts stepConfirmMs: ~520 at one per quantum). */
const MAX_HELD = 2_048;
/** Each half of a big step's span holds at least this many reports (else arrivals are too sparse to judge). */
const MIN_HALF_REPORTS = 8;

interface Run {
  readonly side: number;
  readonly sinceMs: Milliseconds;
  untilMs: Milliseconds;
  readonly held: JudgedReport[];
  /** Lower envelope of the on-line reports of the latest bigStepConfirmMs before the run, ms (NaN: none). */
  readonly beforeMs: Milliseconds;
}

/** See the module comment. */
export class RenderStepDetector {
  private run: Run | null = null;
  /** The latest step a witness saw: its size (ms) and when (performance time, ms). */
  private witnessed: { readonly deltaMs: Milliseconds; readonly atMs: Milliseconds } | null = null;
  /** Performance time of the latest discontinuity hint; null while none are expected (flatness alone decides). */
  private hintMs: Milliseconds | null = null;
  /** The latest on-line reports (bigStepConfirmMs of arrival time): where the line's reports lay before a run. */
  private onLine: Array<{ readonly arrivalMs: Milliseconds; readonly r: Milliseconds }> = [];

  constructor(private readonly o: RenderStepOptions) {}

  /**
   * Whether the latest reports have all lain beyond stepMs on one side of the line for at least
   * `PENDING_RUN_MS` of arrival time: the line may be moving (a burst's own spread and main-thread
   * blocks make shorter runs all the time).
   */
  get pending(): boolean {
    return this.run !== null && this.run.untilMs - this.run.sinceMs >= PENDING_RUN_MS;
  }

  /** From now on a big step needs a hint near it (the browser counts underruns). */
  expectHints(): void {
    this.hintMs ??= Number.NEGATIVE_INFINITY;
  }

  /** The output may have moved at `atPerfMs` (an underrun was counted, the context resumed). */
  hint(atPerfMs: Milliseconds): void {
    if (this.hintMs !== null) this.hintMs = Math.max(this.hintMs, atPerfMs);
  }

  /**
   * Another measure of the output saw it move by `deltaMs` at `atPerfMs` (the browser's output
   * timestamps, judged against the line while a step is pending).
   */
  witness(deltaMs: Milliseconds, atPerfMs: Milliseconds): void {
    if (this.o.witnessSteps && Number.isFinite(deltaMs) && Number.isFinite(atPerfMs)) this.witnessed = { deltaMs, atMs: atPerfMs };
  }

  /** The line restarted: forget the run and any witness. */
  reset(): void {
    this.run = null;
    this.witnessed = null;
    this.onLine = [];
  }

  /**
   * A run lasting stepConfirmMs of arrival time is a discontinuity: restart. So is a big flat run
   * lasting bigStepConfirmMs, and its reports start the new line. (A small step's run is not
   * replayed: a line that starts a second or more into a bucket whose envelope is still high
   * learned 120 ± 51 ppm of a true 700 in simulation.)
   */
  judge(report: JudgedReport): StepVerdict {
    const o = this.o;
    const side = report.r > o.stepMs ? 1 : report.r < -o.stepMs ? -1 : 0;
    if (side === 0) {
      this.run = null;
      this.onLine.push({ arrivalMs: report.arrivalMs, r: report.r });
      while ((this.onLine[0]?.arrivalMs ?? report.arrivalMs) < report.arrivalMs - o.bigStepConfirmMs) this.onLine.shift();
      return StepVerdict.onLine;
    }
    if (this.run === null || this.run.side !== side) {
      const beforeMs = this.onLine.length === 0 ? Number.NaN : Math.min(...this.onLine.map((h) => h.r));
      this.run = { side, sinceMs: report.arrivalMs, untilMs: report.arrivalMs, held: [], beforeMs };
    }
    const run = this.run;
    run.untilMs = report.arrivalMs;
    run.held.push(report);
    if (run.held.length > MAX_HELD) run.held.shift();
    const halves = this.envelopes(run);
    if (halves !== null) {
      if (this.bigFlatStep(run, halves)) return this.afterStep(run);
      const deltaMs = this.witnessedStep(run, halves);
      if (deltaMs !== null) return { deltaMs, reports: this.afterStep(run) };
    }
    return report.arrivalMs - run.sinceMs < o.stepConfirmMs ? StepVerdict.held : StepVerdict.restart;
  }

  /**
   * The run's reports that belong to the new line: none below the envelope of its latest stretch
   * (bigStepConfirmMs/2 of arrival time) by more than flatMs. Those came before the step, while the
   * old line drifted off; later ones above it (a render catching up) never lower an envelope.
   */
  private afterStep(run: Run): JudgedReport[] {
    const sinceMs = run.untilMs - this.o.bigStepConfirmMs / 2;
    let envelope = Number.POSITIVE_INFINITY;
    for (let i = run.held.length - 1; i >= 0 && run.held[i]!.arrivalMs >= sinceMs; i--) envelope = Math.min(envelope, run.held[i]!.r);
    return run.held.filter((h) => h.r >= envelope - this.o.flatMs);
  }

  /**
   * Whether the latest bigStepConfirmMs of a run (arrival time) has a flat lower envelope at least
   * bigStepMs off the line: an underrun of bench:sync's moved a speaker's audio 79–120 ms, and
   * with stepConfirmMs alone it played that far off for 1.5 s before the line even restarted.
   */
  private bigFlatStep(run: Run, [early, late]: readonly [Milliseconds, Milliseconds]): boolean {
    const o = this.o;
    if (this.hintMs !== null && this.hintMs < run.sinceMs - o.hintBeforeMs) return false;
    return Math.abs(early) >= o.bigStepMs && Math.abs(late) >= o.bigStepMs && Math.abs(early - late) <= o.flatMs;
  }

  /**
   * The witnessed step (ms) that this run confirms, or null: a witness since `hintBeforeMs` before
   * the run began saw at least `stepMs` on the run's side, and both halves of the run's latest
   * bigStepConfirmMs have their lower envelope within `flatMs` of it (the envelope of a quarter
   * second scatters by up to a quantum, so the witness gives the size). Two measures of the
   * output that agree need no underrun count: in a 10-minute bench:sync, five outputs moved
   * 5–6 ms without one, the output timestamps moved with them at once, and the speakers played
   * that far off for 2.5–3 s, 1.5 s of it waiting for the 3 ms rule (stepConfirmMs).
   *
   * A step is a jump: the reports just before the run lay near the line (their envelope less than
   * stepMs/2 towards the run's side). A line whose rate is wrong drifts off its reports, and the
   * readings judged on it drift with them: both "saw" a step, each shift kept the wrong rate, and
   * bench:sync's speaker shifted its line 182 times in 10 minutes (~3 ms every 4 s, a line 700 ppm
   * off), 3 ms off the others throughout. Such a drift restarts the line instead (stepConfirmMs).
   */
  private witnessedStep(run: Run, halves: readonly [Milliseconds, Milliseconds]): Milliseconds | null {
    const o = this.o;
    const w = this.witnessed;
    if (w === null || w.atMs < run.sinceMs - o.hintBeforeMs || w.deltaMs * run.side < o.stepMs) return null;
    if (run.beforeMs * run.side >= o.stepMs / 2) return null;
    return halves.every((envelopeMs) => Math.abs(envelopeMs - w.deltaMs) <= o.flatMs) ? w.deltaMs : null;
  }

  /**
   * Lower envelopes (ms, residuals from the line) of the two halves of the run's latest
   * bigStepConfirmMs of arrival time, or null while the run is shorter or a half holds fewer than
   * MIN_HALF_REPORTS reports.
   */
  private envelopes(run: Run): [Milliseconds, Milliseconds] | null {
    const o = this.o;
    if (run.untilMs - run.sinceMs < o.bigStepConfirmMs) return null;
    const fromMs = run.untilMs - o.bigStepConfirmMs;
    const midMs = run.untilMs - o.bigStepConfirmMs / 2;
    const early = { min: Number.POSITIVE_INFINITY, n: 0 };
    const late = { min: Number.POSITIVE_INFINITY, n: 0 };
    for (let i = run.held.length - 1; i >= 0; i--) {
      const h = run.held[i]!;
      if (h.arrivalMs < fromMs) break;
      const half = h.arrivalMs < midMs ? early : late;
      half.min = Math.min(half.min, h.r);
      half.n++;
    }
    if (early.n < MIN_HALF_REPORTS || late.n < MIN_HALF_REPORTS) return null;
    return [early.min, late.min];
  }
}
