/**
 * The speaker engine's drift loop: each tick's playout error goes to the {@link DriftPolicy};
 * its rate is realised by whole-sample slips of the voice ({@link SampleSlipper}), and a gross
 * error (or the policy's own resync) asks the engine to re-schedule. Keeps the latest
 * measurement and ~60 s of error history for the report and the dashboard.
 */
import { DriftActionKind, DriftPolicy } from '../sync/drift-policy.js';
import { ErrorHistory } from '../sync/error-history.js';
import { median } from '../sync/median.js';
import { chooseRateSeed, NO_RATE, type RateEstimate } from '../sync/rate-seed.js';
import { SyncRun } from '../sync/sync-run.js';
import type { Milliseconds, Ppm, Seconds } from '../sync/units.js';
import { SampleSlipper } from './sample-slipper.js';
import type { SourceVoice } from './source-voice.js';

/** errorHistory() keeps this long, ms. */
const HISTORY_MS = 60_000;
/**
 * An error this large (ms), known to better than a quarter of itself, re-schedules at once (the
 * policy ignores estimates vaguer than 3 ms: a speaker of bench:sync whose start-up latency came
 * down 17 ms knew it was 12–21 ms early, ±2.2–3.7 ms, and played so for 7 s)…
 */
export const GROSS_ERROR_MS = 10;
/**
 * An error this large (ms) that the latest {@link STEADY_MEASUREMENTS} agree on within
 * {@link STEADY_SPREAD_MS}, each known to half of it, re-schedules too: in a 10-minute bench:sync a
 * glitch moved a speaker 7 ms late, it estimated 6.6–6.8 ms ± 3 ms (its render line restarting)
 * for 12 s, and neither the 10 ms rule nor the policy (estimates within 2 ms) acted.
 */
export const STEADY_ERROR_MS = 4;
const STEADY_MEASUREMENTS = 5;
const STEADY_SPREAD_MS = 1;
/**
 * …at most this often, ms (the drift policy's own resync needs a precise estimate). Once a
 * second: bench:sync's late joiner re-scheduled on a 90 ms error, learned 1 s later that its
 * latency had been 68 ms off, and with 3 s here played 70 ms early for 2 more seconds.
 */
const GROSS_RESYNC_INTERVAL_MS = 1_000;

/** One playout error estimate: shared time heard (ms), error (ms, + = late) and its 1σ (ms). */
export interface Measurement {
  readonly atSharedMs: Milliseconds;
  readonly errorMs: Milliseconds;
  readonly uncertaintyMs: Milliseconds;
}

export class DriftLoop {
  private policy = new DriftPolicy();
  /** The next voice seeds the policy's rate (a new plan, or after a resync). */
  private seedPending = true;
  /** Seed when the next voice brings no better rate hint: the rate learned before a gross re-schedule. */
  private fallbackSeed: RateEstimate = NO_RATE;
  /** The voice started unseeded (no rate known well enough): a hint known later still seeds it. */
  private unseeded = false;
  private readonly slipper: SampleSlipper;
  private lastGrossResyncMs = Number.NEGATIVE_INFINITY;
  private readonly history = new ErrorHistory(HISTORY_MS, 0);
  private readonly syncRun = new SyncRun();
  /** The latest measurements of the current voice, oldest first (at most STEADY_MEASUREMENTS). */
  private recent: Measurement[] = [];
  /** Rate changes since the last `reset()`. */
  rateChanges = 0;
  /** The latest measurement since the last `reset()`, or null. */
  last: Measurement | null = null;

  /** `minLeadSec`: how far ahead of the context's time a slip may be scheduled, s. */
  constructor(minLeadSec: Seconds) {
    this.slipper = new SampleSlipper(minLeadSec);
  }

  /** A new plan: forget the learned rate, the pending slips and the counts (the history stays). */
  reset(): void {
    this.renewPolicy(false);
    this.slipper.clear();
    this.rateChanges = 0;
    this.last = null;
    this.syncRun.reset();
  }

  /**
   * A voice starts at context time `whenSec`: slips count from there. `rateHint`: the rate the
   * output's clock was measured to need against the shared timeline, with its 1σ. The first voice
   * of a plan, and the voice after a resync, start at it ({@link chooseRateSeed}): a new plan does
   * not drift while the policy learns, and a resync does not keep a rate learned wrong. With a hint
   * known worse (the output's render line too young), the voice after a gross re-schedule starts
   * at the rate learned before it if that is known better: an underrun moves the audio, not the
   * clocks (started at 0 instead, a 200 ppm engine test learned only 85 ppm in the seconds left).
   */
  restartAt(whenSec: Seconds, rateHint: RateEstimate = NO_RATE): void {
    const seedPpm = chooseRateSeed(rateHint, this.fallbackSeed, this.policy.priorRateSdPpm);
    if (this.seedPending && Number.isFinite(seedPpm)) {
      this.policy.seedRate(seedPpm);
      this.slipper.setRate(this.policy.ratePpm);
    }
    this.unseeded = this.seedPending && !Number.isFinite(seedPpm);
    this.fallbackSeed = NO_RATE;
    this.seedPending = false;
    this.recent = [];
    this.slipper.restartAt(whenSec);
  }

  /**
   * The error moved by a known amount, ms: its target moved (a small trim or calibration change)
   * or the output mapping's latency did. The policy shifts its estimate instead of learning a
   * rate from the step (DriftPolicy.shiftError).
   */
  errorMoved(deltaMs: Milliseconds): void {
    if (!Number.isFinite(deltaMs) || deltaMs === 0) return;
    this.policy.shiftError(deltaMs);
    this.recent = this.recent.map((m) => ({ ...m, errorMs: m.errorMs + deltaMs }));
  }

  /** The correction rate in force, ppm. */
  get ratePpm(): Ppm {
    return this.slipper.ratePpm;
  }

  /**
   * One step with a finite measurement; returns true when the engine must re-schedule (a gross
   * error, rate-limited, or the policy's resync). `rateHint` as for {@link restartAt}: a voice that
   * started unseeded takes it once it is known, if the policy has not learned the rate better
   * meanwhile (bench:sync: a speaker whose render line restarted 2 s before the press started at
   * 0 against a needed −700 ppm; its estimates were too vague for the policy, and it drifted
   * 0.7 ms/s for 9.5 s, while its render line knew the rate from 2 s after the start).
   */
  step(m: Measurement, rateHint: RateEstimate = NO_RATE): boolean {
    this.last = m;
    if (this.unseeded) this.seedLate(rateHint);
    this.history.add(m.atSharedMs, m.errorMs);
    this.syncRun.add(m.atSharedMs, m.errorMs, m.uncertaintyMs);
    this.recent = [...this.recent, m].slice(-STEADY_MEASUREMENTS);
    if (grosslyOff(m) || this.steadilyFar()) {
      // Far off (e.g. the output map moved a lot since the start): no gentle correction will do.
      if (m.atSharedMs - this.lastGrossResyncMs < GROSS_RESYNC_INTERVAL_MS) return false;
      this.lastGrossResyncMs = m.atSharedMs;
      this.renewPolicy(true);
      this.slipper.setRate(0);
      return true;
    }
    const action = this.policy.update({ atMs: m.atSharedMs, errorMs: m.errorMs, uncertaintyMs: m.uncertaintyMs });
    if (action.kind === DriftActionKind.SetRate) {
      this.slipper.setRate(action.ratePpm);
      this.rateChanges++;
    } else if (action.kind === DriftActionKind.Reschedule) {
      this.slipper.setRate(action.ratePpm);
      this.seedPending = true;
      return true;
    }
    return false;
  }

  /** The latest measurements agree on an error beyond STEADY_ERROR_MS (see there). */
  private steadilyFar(): boolean {
    if (this.recent.length < STEADY_MEASUREMENTS) return false;
    const errors = this.recent.map((r) => r.errorMs);
    const mid = median(errors);
    return Math.abs(mid) > STEADY_ERROR_MS
      && errors.every((e) => Math.abs(e - mid) <= STEADY_SPREAD_MS)
      && this.recent.every((r) => r.uncertaintyMs < Math.abs(mid) / 2);
  }

  private seedLate(hint: RateEstimate): void {
    const seedPpm = chooseRateSeed(hint, NO_RATE, this.policy.priorRateSdPpm);
    if (!Number.isFinite(seedPpm) || hint.sdPpm >= this.policy.learnedRate.sdPpm) return;
    this.policy.seedRate(seedPpm);
    this.slipper.setRate(this.policy.ratePpm);
    this.unseeded = false;
  }

  /** A fresh policy, seeded by the next voice's restartAt (with the learned rate if `keepRate` and no hint comes). */
  private renewPolicy(keepRate: boolean): void {
    const learned = this.policy.learnedRate;
    this.fallbackSeed = keepRate ? { ppm: learned.ratePpm, sdPpm: learned.sdPpm } : NO_RATE;
    this.policy = new DriftPolicy();
    this.seedPending = true;
  }

  /** Track position (s) heard at `ctxSec` from `voice` (the latest returned by applySlips). */
  positionAt(voice: SourceVoice, ctxSec: Seconds): Seconds {
    return this.slipper.positionAt(voice, ctxSec);
  }

  /** Realise the rate on `voice` (a slip replaces it with a new one, which is returned). */
  applySlips(voice: SourceVoice, bus: AudioNode, nowSec: Seconds): SourceVoice {
    return this.slipper.apply(voice, bus, nowSec);
  }

  /** Last ~60 s of error estimates. */
  errorHistory(): readonly { atSharedMs: Milliseconds; errorMs: Milliseconds }[] {
    return this.history.points();
  }

  /** The policy's and the slipper's state, for diagnostics (plain JSON). */
  diagnostics(): Record<string, unknown> {
    const learned = this.policy.learnedRate;
    return {
      driftErrorEstimateMs: this.policy.errorEstimateMs,
      learnedRatePpm: learned.ratePpm,
      learnedRateSdPpm: learned.sdPpm,
      ratePpm: this.slipper.ratePpm,
      syncRun: this.syncRun.state,
      ...this.slipper.counts,
    };
  }
}

/** An error beyond GROSS_ERROR_MS, known to a quarter of itself. */
function grosslyOff(m: Measurement): boolean {
  return Math.abs(m.errorMs) > GROSS_ERROR_MS && m.uncertaintyMs < Math.abs(m.errorMs) / 4;
}
