import { ReplyOutcome } from '../../src/sync/clock-sync.js';
import type { SharedTimelineOptions } from '../../src/sync/shared-timeline.js';
import type { Milliseconds } from '../../src/sync/units.js';
import type { DirectionConfig } from './delay-model.js';
import { NetworkSim, type LinkStats } from './network-sim.js';
import { ProbeLoop, syncPeer, type ProcessingConfig } from './probe-loop.js';
import type { SimClockConfig } from './sim-clock.js';
import type { StallConfig } from './stall-schedule.js';

/** One follower against one authority over one link, for a simulated duration. */
export interface ClockScenario {
  readonly name: string;
  /** Simulated length, ms of true time. */
  readonly durationMs: Milliseconds;
  /** Follower → authority. */
  readonly forward: DirectionConfig;
  /** Authority → follower. */
  readonly backward: DirectionConfig;
  readonly authorityClock: SimClockConfig;
  readonly followerClock: SimClockConfig;
  /** Event-loop stalls of both tabs; null = none. */
  readonly stalls: StallConfig | null;
  readonly processing: ProcessingConfig;
  /** True time at which the follower joins, ms. */
  readonly joinAtMs: Milliseconds;
  /** Error sampling cadence, ms. */
  readonly sampleEveryMs: Milliseconds;
  readonly timeline?: Partial<SharedTimelineOptions>;
}

/** What a scenario run measured. Errors are follower.toShared(local(t)) − authority's shared(t). */
export interface ClockScenarioResult {
  /** Join → first `converged`, ms; null if it never converged. */
  readonly convergedAfterMs: Milliseconds | null;
  /** Signed errors sampled every sampleEveryMs from convergence on, ms. */
  readonly errorsMs: readonly number[];
  /** True times of `errorsMs`, ms. */
  readonly sampleTimesMs: readonly Milliseconds[];
  /** The follower's reported uncertainty at each sample, ms. */
  readonly uncertaintiesMs: readonly Milliseconds[];
  /** Fraction of samples whose |error| ≤ the reported uncertainty (honesty: ~0.68 for 1 sigma). */
  readonly withinUncertainty: number;
  /** Largest |step| of the follower's shared time caused by a reply after convergence, ms (jumps excluded). */
  readonly maxStepMs: Milliseconds;
  readonly jumpsDetected: number;
  /** Per injected follower clock jump: true time until |error| ≤ 0.25 ms for 2 s, ms (∞ if never). */
  readonly recoveryMs: readonly Milliseconds[];
  readonly forward: LinkStats;
  readonly backward: LinkStats;
}

const RECOVERED_MS = 0.25;
const RECOVERY_HOLD_MS = 2_000;

/** Run `scenario` with network randomness from `seed`. Pure and deterministic. */
export function runClockScenario(scenario: ClockScenario, seed: number): ClockScenarioResult {
  const sim = new NetworkSim(seed);
  const authority = syncPeer(sim.node(scenario.authorityClock, scenario.stalls), scenario.timeline);
  const follower = syncPeer(sim.node(scenario.followerClock, scenario.stalls), scenario.timeline);
  const link = sim.link(scenario.forward, scenario.backward);
  authority.timeline.becomeAuthority();

  let convergedAt: Milliseconds | null = null;
  let maxStepMs = 0;
  let jumpsDetected = 0;
  let resetSeen = false;
  const errors: number[] = [];
  const times: number[] = [];
  const uncertainties: number[] = [];
  let covered = 0;

  const loop = new ProbeLoop(follower, authority, link, scenario.processing, (event) => {
    if (event.outcome === ReplyOutcome.Jump) {
      jumpsDetected++;
      resetSeen = true;
    }
    if (event.converged) resetSeen = false;
    if (convergedAt !== null && !resetSeen && event.outcome !== ReplyOutcome.Jump) {
      maxStepMs = Math.max(maxStepMs, Math.abs(event.stepMs));
    }
  });
  sim.queue.at(scenario.joinAtMs, () => {
    follower.timeline.follow();
    loop.start();
  });

  const sample = (): void => {
    const t = sim.now;
    const state = follower.timeline.state();
    if (convergedAt === null && state.converged) convergedAt = t;
    if (convergedAt !== null) {
      const error =
        follower.timeline.toShared(follower.node.clock.exact(t)) - authority.timeline.toShared(authority.node.clock.exact(t));
      errors.push(error);
      times.push(t);
      uncertainties.push(state.uncertaintyMs);
      if (Math.abs(error) <= state.uncertaintyMs) covered++;
    }
    if (t + scenario.sampleEveryMs <= scenario.durationMs) sim.queue.after(scenario.sampleEveryMs, sample);
  };
  sim.queue.at(scenario.joinAtMs + scenario.sampleEveryMs, sample);
  sim.runUntil(scenario.durationMs);

  const jumpTimes = (scenario.followerClock.jumps ?? []).map((j) => j.atMs);
  return {
    convergedAfterMs: convergedAt === null ? null : convergedAt - scenario.joinAtMs,
    errorsMs: errors,
    sampleTimesMs: times,
    uncertaintiesMs: uncertainties,
    withinUncertainty: errors.length === 0 ? Number.NaN : covered / errors.length,
    maxStepMs,
    jumpsDetected,
    recoveryMs: jumpTimes.map((at) => recoveryTime(at, times, errors)),
    forward: link.stats.forward,
    backward: link.stats.backward,
  };
}

/** True time from `atMs` until the error stays within RECOVERED_MS for RECOVERY_HOLD_MS. */
function recoveryTime(atMs: Milliseconds, times: readonly number[], errors: readonly number[]): Milliseconds {
  let goodSince: number | null = null;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < atMs) continue;
    if (Math.abs(errors[i]) > RECOVERED_MS) {
      goodSince = null;
      continue;
    }
    goodSince ??= times[i];
    if (times[i] - goodSince >= RECOVERY_HOLD_MS) return goodSince - atMs;
  }
  return Number.POSITIVE_INFINITY;
}
