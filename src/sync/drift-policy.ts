import { median } from './median.js';
import type { Milliseconds, Ppm } from './units.js';

/**
 * Tuning of {@link DriftPolicy}. Rates are playbackRate − 1 in ppm (1000 ppm = 0.1 % = 1.7 cents
 * of pitch). Defaults are in {@link DEFAULT_DRIFT_POLICY_OPTIONS}.
 */
export interface DriftPolicyOptions {
  /** Idle until the estimated |error| exceeds both this (ms)… */
  readonly deadbandMs: Milliseconds;
  /** …and this many standard deviations of the estimate (no chatter on noise). */
  readonly engageSigmas: number;
  /** While correcting, go back to the learned rate (and idle) once |error| is below this, ms. */
  readonly releaseMs: Milliseconds;
  /** Proportional gain, ppm per ms of error: error decays with time constant 1000/gain s. */
  readonly gainPpmPerMs: number;
  /**
   * Cap of the correction on top of the learned rate while |error| ≤ largeErrorMs, ppm. The
   * learned rate only cancels the device's clock skew (it restores the true pitch), so the cap
   * bounds what is heard: a pitch change against the other speakers.
   */
  readonly maxRatePpm: Ppm;
  /** Above this |error| (ms) the cap is maxLargeRatePpm. */
  readonly largeErrorMs: Milliseconds;
  readonly maxLargeRatePpm: Ppm;
  /** |learned rate| is held within this, ppm (a busy PulseAudio sink was measured 700 ppm fast). */
  readonly maxSkewPpm: Ppm;
  /** While correcting, smaller rate changes than this are not made, ppm. */
  readonly minRateStepPpm: Ppm;
  /** At least this long between two rate changes, ms. */
  readonly minRateIntervalMs: Milliseconds;
  /** Median |error| above this (ms) asks for a hard resync… */
  readonly hardResyncMs: Milliseconds;
  /** …at most once per this long, ms. */
  readonly minResyncIntervalMs: Milliseconds;
  /** Measurements within this long after a resync are ignored (the new source settles), ms. */
  readonly resyncSettleMs: Milliseconds;
  /** Robust filter: median of the last this many measurements (odd). */
  readonly medianWindow: number;
  /** No action before this many measurements since the start or the last resync. */
  readonly minSamples: number;
  /** A measurement is an outlier if it misses the prediction by > max(outlierMinMs, outlierSigmas·σ). */
  readonly outlierMinMs: Milliseconds;
  readonly outlierSigmas: number;
  /** Measurements less certain than this (ms, 1σ) are ignored… */
  readonly maxUncertaintyMs: Milliseconds;
  /** …and a hard resync needs the latest `medianWindow` known at least to this (ms, 1σ). */
  readonly maxResyncUncertaintyMs: Milliseconds;
  /** Prior standard deviation of the rate that holds the error constant (the skew), ppm. */
  readonly priorRateSdPpm: Ppm;
  /** Random walk of that rate (temperature drift, a busy sink's clock), ppm per √s. */
  readonly rateWanderPpmPerSqrtS: Ppm;
  /**
   * Prior mean of that rate, and the rate applied from the start, ppm: the skew measured by other
   * means (the audio clock against the shared timeline), so a new plan does not drift until the
   * filter has learned it. 0: unknown.
   */
  readonly initialRatePpm: Ppm;
}

/**
 * Defaults. Pitch: 1000 ppm is 1.7 cents, below the ~5–10 cent pitch discrimination threshold
 * for music, so small errors are corrected inaudibly; the 5000 ppm tier (8.6 cents, as Sendspin's
 * top tier of ±0.5 %) serves errors > 1 ms only while a resync is rate-limited. Gain 400 ppm/ms:
 * a time constant of 2.5 s. Hard resync from a 2 ms median, at most every 5 s (as Soundsync): an
 * underrun moves a speaker's audio by 20–30 ms at once (measured in bench:sync), and 2 ms between
 * two speakers is already heard as colouring (a comb filter notch at 250 Hz), so one crossfaded
 * jump beats holding the offset while a rate corrects it. Against underrun-sized steps (1.5–28 ms,
 * one a minute, 10 simulated minutes, 3 seeds), the share of time beyond 0.25 ms fell from 41 %
 * (20 ms resync, gain 100: a 20 ms step held for 40 s) to 1.9 %; at a constant ±200 ppm skew the
 * error stays within 0.1 ms with fewer rate changes (69 against 169 in 10 minutes). Snapcast
 * resyncs from a 20-sample median > 50 ms and Sendspin > 200 ms. Here the rate is the learned skew
 * plus the correction, so the error is held within the deadband. Deadband 0.02 ms (one sample at
 * 48 kHz), engageSigmas 3, rate wander 6 ppm/√s: in bench:sync the pairs' error wandered with
 * periods over 10 s (σ 0.05 ms, much of it the speakers' own estimated error) inside the former
 * 0.05 ms, 4σ deadband; simulated against a sink clock wandering 6 ppm/√s (0.04 ms noise, 6 seeds),
 * |error| p95 fell from 0.10–0.13 ms to 0.075–0.083 ms. The price is a few corrections on pure
 * noise (0–126 rate changes in 10 minutes, |error| ≤ 0.1 ms on noise of up to 0.1 ms, where 4σ
 * made none). A busy PulseAudio sink's clock was also measured ramping from ~40 to ~740 ppm within
 * 40 s; with the 0.01 ppm/√s of a crystal's temperature drift the learned rate froze and the
 * simulated error stood at 6.7 ms long after such a ramp. maxUncertaintyMs 3 (was 2): in a
 * 10-minute bench:sync one speaker's estimates were ±2.1–2.5 ms (its latency model doubted) for
 * 25 s while they read a smooth −0.1 → −2.2 ms; ignored, it drifted 3.5 ms from the others, which
 * corrected the same move (their estimates ±1.0–1.7 ms). The filter weighs a measurement by its
 * scatter anyway, so such estimates steer the rate; a hard resync, a jump by the median, still
 * needs estimates known to 2 ms (vaguer large errors are the drift loop's, which waits for five
 * that agree).
 */
export const DEFAULT_DRIFT_POLICY_OPTIONS: DriftPolicyOptions = {
  deadbandMs: 0.02, engageSigmas: 3, releaseMs: 0.01, gainPpmPerMs: 400,
  maxRatePpm: 1_000, largeErrorMs: 1, maxLargeRatePpm: 5_000, maxSkewPpm: 2_000, minRateStepPpm: 1, minRateIntervalMs: 1_000,
  hardResyncMs: 2, minResyncIntervalMs: 5_000, resyncSettleMs: 500,
  medianWindow: 5, minSamples: 3, outlierMinMs: 0.3, outlierSigmas: 5, maxUncertaintyMs: 3, maxResyncUncertaintyMs: 2,
  priorRateSdPpm: 300, rateWanderPpmPerSqrtS: 6, initialRatePpm: 0,
};

/**
 * The filter weighs a measurement by the smaller of its reported uncertainty and (with a margin)
 * the scatter of the latest {@link JITTER_WINDOW} measurements: the reported figure is mostly bias
 * (an output latency known to ±0.3 ms), which no averaging removes and which the control cannot do
 * better than anyway, while the estimate moves by ~0.03 ms from one measurement to the next.
 * Weighed by ±0.3 ms, a 0.5 ms change of the estimate (the fine latency following the output) took
 * 14 s to correct in simulation, 4 s weighed by twice its scatter.
 */
const JITTER_WINDOW = 15;
const MIN_JITTER_SAMPLES = 9;
/** The scatter is taken this many times over: its estimate from a few measurements runs low half the time. */
const JITTER_MARGIN = 2;
const JITTER_FLOOR_MS: Milliseconds = 0.01;

/** Random walk of the error itself (beyond the rate model), ms per √s: keeps the filter responsive. */
const ERROR_WANDER_MS_PER_SQRT_S = 0.001;

/** One playout error measurement. */
export interface PlayoutMeasurement {
  /** When it was taken (any monotonic ms clock, e.g. shared time), ms. */
  readonly atMs: Milliseconds;
  /** Heard time − planned time, ms; positive = audio late. */
  readonly errorMs: Milliseconds;
  /** Its standard deviation, ms. */
  readonly uncertaintyMs: Milliseconds;
}

/** Kinds of {@link DriftAction}. */
export const DriftActionKind = { Keep: 'keep', SetRate: 'set-rate', Reschedule: 'reschedule' } as const;
export type DriftActionKind = (typeof DriftActionKind)[keyof typeof DriftActionKind];

/**
 * What to do: nothing; set playbackRate to 1 + ratePpm·1e-6; or hard resync (reschedule the
 * track with a short crossfade, the new source at playbackRate 1 + ratePpm·1e-6).
 */
export type DriftAction =
  | { readonly kind: typeof DriftActionKind.Keep }
  | { readonly kind: typeof DriftActionKind.SetRate; readonly ratePpm: Ppm }
  | { readonly kind: typeof DriftActionKind.Reschedule; readonly errorMs: Milliseconds; readonly ratePpm: Ppm };

const KEEP: DriftAction = { kind: DriftActionKind.Keep };

/** The rate as a float32 AudioParam holds it: (fround(1 + ppm·1e-6) − 1)·1e6. */
export function representableRatePpm(ratePpm: Ppm): Ppm {
  return (Math.fround(1 + ratePpm * 1e-6) - 1) * 1e6;
}

/**
 * Drift controller for one speaker. Pure and stateful: feed a measurement each tick (100–250 ms),
 * apply the returned action; it assumes its actions are applied at once.
 *
 * A Kalman filter tracks [error e (ms), rate r that holds e constant (ppm)] under
 * de/dt = (r − applied)·1e-3 ms/s: r is the learned skew (the integral term). Single outliers
 * are gated out; a step (the median of the recent measurements disagrees with the estimate)
 * re-seeds e. Control: idle (rate unchanged) while |ê| ≤ deadband; once beyond, steer with
 * rate = r̂ + gain·ê (the correction capped by tier, r̂ within maxSkewPpm), at most every
 * minRateIntervalMs and in steps ≥ minRateStepPpm, until |ê| < releaseMs, then set rate = r̂
 * and idle again (hysteresis). A median |error| > hardResyncMs asks for a rate-limited reschedule.
 */
export class DriftPolicy {
  private readonly o: DriftPolicyOptions;
  private applied: Ppm = 0;
  private e: Milliseconds = 0;
  private r: Ppm = 0;
  private p00 = 0;
  private p01 = 0;
  private p11: number;
  private seeded = false;
  private lastAtMs = Number.NaN;
  /** The latest measurements (enough for the median filter and for their scatter), oldest first. */
  private history: Milliseconds[] = [];
  /** The uncertainties of the latest `medianWindow` measurements, ms. */
  private recentUncertainties: Milliseconds[] = [];
  private correcting = false;
  private lastRateChangeMs = -Infinity;
  private lastResyncMs = -Infinity;
  private settleUntilMs = -Infinity;

  constructor(options: Partial<DriftPolicyOptions> = {}) {
    this.o = { ...DEFAULT_DRIFT_POLICY_OPTIONS, ...options };
    this.p11 = this.o.priorRateSdPpm ** 2;
    this.seedRate(this.o.initialRatePpm);
  }

  /**
   * The rate that holds the error is known from elsewhere (the audio clock measured against the
   * shared timeline), ppm: learn on from it, with the prior's uncertainty, and apply it now. For a
   * new plan, and after a resync (a rate learned from a moving output mapping can be far off:
   * seen 1600 ppm, which drifted 1.6 ms/s and chained resyncs every 5 s). Non-finite: ignored.
   */
  seedRate(ratePpm: Ppm): void {
    if (!Number.isFinite(ratePpm)) return;
    this.r = clamp(ratePpm, this.o.maxSkewPpm);
    this.p01 = 0;
    this.p11 = this.o.priorRateSdPpm ** 2;
    this.applied = representableRatePpm(this.r);
  }

  /** Prior 1σ of the rate (before any measurement or seed), ppm. */
  get priorRateSdPpm(): Ppm {
    return this.o.priorRateSdPpm;
  }

  /** Rate in effect (after the last action), ppm. */
  get ratePpm(): Ppm {
    return this.applied;
  }

  /** Filtered error estimate, ms (0 before any measurement). */
  get errorEstimateMs(): Milliseconds {
    return this.e;
  }

  /** Learned rate that holds the error constant (minus the skew), ppm, and its standard deviation. */
  get learnedRate(): { readonly ratePpm: Ppm; readonly sdPpm: Ppm } {
    return { ratePpm: this.r, sdPpm: Math.sqrt(this.p11) };
  }

  /**
   * The error moved by a known amount, ms (its target moved: a new trim or calibration correction,
   * a new output latency). The estimate and the recent measurements move with it and nothing is
   * learned from it: fed as a measurement instead, the filter takes part of such a step for a rate,
   * and the speaker overshoots once the step is corrected. Non-finite: ignored.
   */
  shiftError(deltaMs: Milliseconds): void {
    if (!Number.isFinite(deltaMs) || deltaMs === 0) return;
    this.e += deltaMs;
    this.history = this.history.map((v) => v + deltaMs);
  }

  /** Take a measurement; returns what to do now. Invalid, too uncertain or settling ones: keep. */
  update(m: PlayoutMeasurement): DriftAction {
    const o = this.o;
    const valid = Number.isFinite(m.atMs) && Number.isFinite(m.errorMs) && m.uncertaintyMs >= 0;
    if (!valid || m.uncertaintyMs > o.maxUncertaintyMs || m.atMs < this.settleUntilMs) return KEEP;
    if (m.atMs <= this.lastAtMs) return KEEP;
    this.predict(m.atMs);
    this.history = [...this.history, m.errorMs].slice(-Math.max(o.medianWindow, JITTER_WINDOW));
    this.recentUncertainties = [...this.recentUncertainties, m.uncertaintyMs].slice(-o.medianWindow);
    const recentMedian = median(this.recent);
    const varMs2 = Math.max(Math.min(m.uncertaintyMs, JITTER_MARGIN * this.jitterMs()) ** 2, 1e-8);
    if (!this.seeded) this.seed(m.errorMs, varMs2);
    else this.correct(m.errorMs, recentMedian, varMs2);
    if (this.recent.length < o.minSamples) return KEEP;
    if (Math.abs(recentMedian) > o.hardResyncMs && m.atMs - this.lastResyncMs >= o.minResyncIntervalMs && this.recentPrecise) {
      return this.resync(m.atMs, recentMedian);
    }
    return this.steer(m.atMs);
  }

  /**
   * Scatter of the latest measurements from one to the next (robust σ of successive differences
   * / √2), at least {@link JITTER_FLOOR_MS}; Infinity while fewer than {@link MIN_JITTER_SAMPLES}.
   */
  private jitterMs(): Milliseconds {
    const w = this.history.slice(-JITTER_WINDOW);
    if (w.length < MIN_JITTER_SAMPLES) return Number.POSITIVE_INFINITY;
    const steps = w.slice(1).map((v, i) => Math.abs(v - w[i]!));
    return Math.max(JITTER_FLOOR_MS, (1.4826 * median(steps)) / Math.SQRT2);
  }

  /** The latest `medianWindow` measurements are all known to maxResyncUncertaintyMs (a resync may act on their median). */
  private get recentPrecise(): boolean {
    return this.recentUncertainties.every((u) => u <= this.o.maxResyncUncertaintyMs);
  }

  /** The latest `medianWindow` measurements. */
  private get recent(): Milliseconds[] {
    return this.history.slice(-this.o.medianWindow);
  }

  private predict(atMs: Milliseconds): void {
    const dtMs = Number.isFinite(this.lastAtMs) ? atMs - this.lastAtMs : 0;
    this.lastAtMs = atMs;
    const k = dtMs * 1e-6;
    const dtSec = dtMs / 1000;
    this.e += k * (this.r - this.applied);
    this.p00 += 2 * k * this.p01 + k * k * this.p11 + ERROR_WANDER_MS_PER_SQRT_S ** 2 * dtSec;
    this.p01 += k * this.p11;
    this.p11 += this.o.rateWanderPpmPerSqrtS ** 2 * dtSec;
  }

  private seed(errorMs: Milliseconds, varMs2: number): void {
    this.e = errorMs;
    this.p00 = varMs2;
    this.p01 = 0;
    this.seeded = true;
  }

  private correct(z: Milliseconds, median: Milliseconds, varMs2: number): void {
    const o = this.o;
    const s = this.p00 + varMs2;
    const gate = Math.max(o.outlierMinMs, o.outlierSigmas * Math.sqrt(s));
    if (Math.abs(z - this.e) > gate) {
      if (this.recent.length >= o.minSamples && Math.abs(median - this.e) > gate) this.seed(median, varMs2);
      return;
    }
    const k0 = this.p00 / s;
    const k1 = this.p01 / s;
    const innovation = z - this.e;
    this.e += k0 * innovation;
    this.r += k1 * innovation;
    this.p11 -= k1 * this.p01;
    this.p00 *= 1 - k0;
    this.p01 *= 1 - k0;
  }

  private resync(atMs: Milliseconds, median: Milliseconds): DriftAction {
    const o = this.o;
    this.applied = representableRatePpm(this.skewRate);
    this.history = [];
    this.recentUncertainties = [];
    this.seeded = false;
    this.correcting = false;
    this.lastResyncMs = atMs;
    this.lastRateChangeMs = atMs;
    this.settleUntilMs = atMs + o.resyncSettleMs;
    return { kind: DriftActionKind.Reschedule, errorMs: median, ratePpm: this.applied };
  }

  private steer(atMs: Milliseconds): DriftAction {
    const o = this.o;
    const absE = Math.abs(this.e);
    if (!this.correcting && absE > Math.max(o.deadbandMs, o.engageSigmas * Math.sqrt(this.p00))) this.correcting = true;
    if (!this.correcting || atMs - this.lastRateChangeMs < o.minRateIntervalMs) return KEEP;
    const releasing = absE < o.releaseMs;
    const cap = absE > o.largeErrorMs ? o.maxLargeRatePpm : o.maxRatePpm;
    const target = representableRatePpm(this.skewRate + (releasing ? 0 : clamp(o.gainPpmPerMs * this.e, cap)));
    if (releasing) this.correcting = false;
    const step = Math.abs(target - this.applied);
    if (step === 0 || (!releasing && step < o.minRateStepPpm)) return KEEP;
    this.applied = target;
    this.lastRateChangeMs = atMs;
    return { kind: DriftActionKind.SetRate, ratePpm: target };
  }

  /** The learned rate, held within maxSkewPpm. */
  private get skewRate(): Ppm {
    return clamp(this.r, this.o.maxSkewPpm);
  }
}

function clamp(x: number, limit: number): number {
  return Math.min(limit, Math.max(-limit, x));
}
