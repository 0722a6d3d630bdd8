import {
  DriftActionKind,
  DriftPolicy,
  type DriftAction,
  type DriftPolicyOptions,
} from '../../src/sync/drift-policy.js';
import type { Milliseconds, Ppm } from '../../src/sync/units.js';
import { Rng } from './rng.js';

/** A step in the true playout error (e.g. an underrun, a glitch), injected at a time. */
export interface ErrorStep {
  readonly atMs: Milliseconds;
  /** Added to the true error (positive = audio later), ms. */
  readonly deltaMs: Milliseconds;
}

/** Scenario of {@link simulatePlayout}. Times are shared-timeline ms. */
export interface PlayoutSimOptions {
  readonly seed: number;
  readonly durationMs: Milliseconds;
  readonly tickMs: Milliseconds;
  /** The audio device's clock runs at (1 + skew) against the shared timeline, ppm. */
  readonly skewPpm: Ppm;
  /** True error at the start, ms. */
  readonly initialErrorMs: Milliseconds;
  /** Gaussian measurement noise, ms (1σ), also reported as the measurement's uncertainty… */
  readonly noiseSdMs: Milliseconds;
  /** …unless this is given: an uncertainty that is mostly bias (a latency known to ±0.3 ms), ms. */
  readonly reportedUncertaintyMs?: Milliseconds;
  /** Probability per measurement of an outlier of ±outlierMs. */
  readonly outlierProbability: number;
  readonly outlierMs: Milliseconds;
  /** Residual error of a hard resync (the new source's scheduling error), ms (1σ). */
  readonly resyncSdMs: Milliseconds;
  readonly steps: readonly ErrorStep[];
  /** Steps of the error that the policy is told of (its target moved: DriftPolicy.shiftError). */
  readonly knownSteps: readonly ErrorStep[];
  /** The skew moves linearly from skewPpm at fromMs to toPpm at toMs (a busy sink's clock), then stays. */
  readonly skewRamp?: { readonly fromMs: Milliseconds; readonly toMs: Milliseconds; readonly toPpm: Ppm };
  /** The skew also wanders as a random walk of this many ppm per √s (a sink's clock under load). */
  readonly skewWanderPpmPerSqrtS?: Ppm;
  readonly policy: Partial<DriftPolicyOptions>;
  /** After each resync the policy's rate is seeded with this (the engine's measured rate), ppm; NaN: not. */
  readonly seedOnResyncPpm: Ppm;
}

/** Defaults: ±0.04 ms noise, 1 % outliers of 2 ms, 200 ms ticks, 10 simulated minutes. */
export const DEFAULT_PLAYOUT_SIM_OPTIONS: PlayoutSimOptions = {
  seed: 1,
  durationMs: 600_000,
  tickMs: 200,
  skewPpm: 0,
  initialErrorMs: 0,
  noiseSdMs: 0.04,
  outlierProbability: 0.01,
  outlierMs: 2,
  resyncSdMs: 0.02,
  steps: [],
  knownSteps: [],
  policy: {},
  seedOnResyncPpm: Number.NaN,
};

/** One tick of the trace. */
export interface PlayoutSample {
  readonly atMs: Milliseconds;
  /** True error after this tick's action took effect, ms. */
  readonly trueErrorMs: Milliseconds;
  readonly measuredMs: Milliseconds;
  /** Rate in effect after the action, ppm (as the float32 AudioParam holds it). */
  readonly ratePpm: Ppm;
  readonly action: DriftAction;
}

/** What a run produced. */
export interface PlayoutSimResult {
  readonly trace: readonly PlayoutSample[];
  readonly rateChanges: readonly PlayoutSample[];
  readonly resyncs: readonly PlayoutSample[];
  readonly policy: DriftPolicy;
}

/**
 * Simulated speaker: an AudioBufferSourceNode on a device clock running at (1 + skew), its
 * position advancing by playbackRate × device time. Each tick: advance the true error by the
 * tick's mismatch, add any injected steps, measure it with noise and outliers, feed the policy
 * and apply its action (rate change at once; a resync jumps the error to ~0).
 */
export function simulatePlayout(options: Partial<PlayoutSimOptions> = {}): PlayoutSimResult {
  const o = { ...DEFAULT_PLAYOUT_SIM_OPTIONS, ...options };
  const rng = new Rng(o.seed);
  const policy = new DriftPolicy(o.policy);
  const trace: PlayoutSample[] = [];
  let rate = Math.fround(1 + policy.ratePpm * 1e-6);
  let errorMs = o.initialErrorMs;
  let wanderPpm = 0;
  for (let atMs = o.tickMs; atMs <= o.durationMs; atMs += o.tickMs) {
    const ramp = o.skewRamp;
    const skewPpm = ramp === undefined || atMs <= ramp.fromMs ? o.skewPpm
      : atMs >= ramp.toMs ? ramp.toPpm
      : o.skewPpm + ((atMs - ramp.fromMs) / (ramp.toMs - ramp.fromMs)) * (ramp.toPpm - o.skewPpm);
    if (o.skewWanderPpmPerSqrtS !== undefined) wanderPpm += rng.normal(0, o.skewWanderPpmPerSqrtS * Math.sqrt(o.tickMs / 1000));
    const playedMs = o.tickMs * (1 + (skewPpm + wanderPpm) * 1e-6) * rate;
    errorMs += o.tickMs - playedMs;
    for (const step of o.steps) if (step.atMs > atMs - o.tickMs && step.atMs <= atMs) errorMs += step.deltaMs;
    for (const step of o.knownSteps) {
      if (step.atMs <= atMs - o.tickMs || step.atMs > atMs) continue;
      errorMs += step.deltaMs;
      policy.shiftError(step.deltaMs);
    }
    const outlier = rng.chance(o.outlierProbability) ? rng.pick([-1, 1]) * o.outlierMs : 0;
    const measuredMs = errorMs + rng.normal(0, o.noiseSdMs) + outlier;
    const action = policy.update({ atMs, errorMs: measuredMs, uncertaintyMs: o.reportedUncertaintyMs ?? o.noiseSdMs });
    if (action.kind !== DriftActionKind.Keep) rate = Math.fround(1 + action.ratePpm * 1e-6);
    if (action.kind === DriftActionKind.Reschedule) {
      errorMs = rng.normal(0, o.resyncSdMs);
      policy.seedRate(o.seedOnResyncPpm);
      rate = Math.fround(1 + policy.ratePpm * 1e-6);
    }
    trace.push({ atMs, trueErrorMs: errorMs, measuredMs, ratePpm: (rate - 1) * 1e6, action });
  }
  return {
    trace,
    rateChanges: trace.filter((s) => s.action.kind === DriftActionKind.SetRate),
    resyncs: trace.filter((s) => s.action.kind === DriftActionKind.Reschedule),
    policy,
  };
}
