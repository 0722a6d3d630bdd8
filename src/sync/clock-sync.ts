import { ClockEstimator, type ClockEstimatorOptions } from './clock-estimator.js';
import type { ClockSample } from './envelope.js';
import { mappingContradictionMs } from './feasible-bound.js';
import { DEFAULT_JUMP_DETECTOR_OPTIONS, JumpDetector, type JumpDetectorOptions } from './jump-detector.js';
import type { LinearMapping } from './linear-mapping.js';
import type { Milliseconds, Ppm } from './units.js';

/** The synchronisation state of one tab at a given local time. */
export interface ClockState {
  /** shared − local at the queried local time, ms. */
  offsetMs: Milliseconds;
  /** (dShared/dLocal − 1)·1e6. */
  ratePpm: Ppm;
  /** Honest 1-sigma-ish estimate of |toShared error|, ms; ∞ when there is no estimate. */
  uncertaintyMs: Milliseconds;
  /** Lowest RTT among the samples kept, ms; null without samples. */
  bestRttMs: Milliseconds | null;
  converged: boolean;
  sampleCount: number;
  /** Clock jumps detected since following this leader (each restarts the estimate). */
  jumps: number;
}

/** A probe to send to the leader; t0 = local send time (ms). */
export interface ClockProbe {
  seq: number;
  t0: Milliseconds;
}

/** What became of a reply. */
export const ReplyOutcome = {
  /** Added to the estimate. */
  Accepted: 'accepted',
  /** Unknown or timed-out seq: ignored. */
  Ignored: 'ignored',
  /** The clocks jumped: the estimate was reset and a new burst starts. */
  Jump: 'jump',
} as const;
export type ReplyOutcome = (typeof ReplyOutcome)[keyof typeof ReplyOutcome];

/** Probe scheduling and estimator tuning. Durations in ms. */
export interface ClockSyncOptions {
  /** Probes sent at `burstIntervalMs` after a (re)start. */
  readonly burstProbes: number;
  readonly burstIntervalMs: Milliseconds;
  /** Interval after the burst while not yet converged. */
  readonly convergeIntervalMs: Milliseconds;
  /** For this long after a (re)start, probe at least every `warmupIntervalMs` (the rate needs data). */
  readonly warmupMs: Milliseconds;
  readonly warmupIntervalMs: Milliseconds;
  /** Interval once converged. */
  readonly upkeepIntervalMs: Milliseconds;
  /** A probe without reply after this long is forgotten. */
  readonly probeTimeoutMs: Milliseconds;
  readonly estimator: Partial<ClockEstimatorOptions>;
  readonly jump: Partial<JumpDetectorOptions>;
  /**
   * After a jump the rate is unchanged: the new estimate starts from the old rate with a prior
   * standard deviation of max(this, 4 × the old rate's sigma), ppm.
   */
  readonly jumpRatePriorSdPpm: number;
}

/** Defaults tuned with bench/clock-sim.ts. */
export const DEFAULT_CLOCK_SYNC_OPTIONS: ClockSyncOptions = {
  burstProbes: 36,
  burstIntervalMs: 25,
  convergeIntervalMs: 50,
  warmupMs: 30_000,
  warmupIntervalMs: 50,
  upkeepIntervalMs: 250,
  probeTimeoutMs: 2_000,
  estimator: {},
  jump: {},
  jumpRatePriorSdPpm: 20,
};

/** Replies kept for {@link ClockSync.contradictionMs}. */
const CONTRADICTION_SAMPLES = 16;

/**
 * A follower's synchronisation with one leader: numbers and times out probes, schedules them
 * (burst, then faster-until-converged, then upkeep), feeds replies to a {@link ClockEstimator} and
 * resets it when the replies show that a clock jumped. Local time is always passed in (ms).
 */
export class ClockSync {
  private readonly options: ClockSyncOptions;
  private readonly estimator: ClockEstimator;
  private readonly jumps: JumpDetector;
  /** Recent samples that contradicted the estimate: the first samples after a jump. */
  private quarantine: ClockSample[] = [];
  /** The latest replies since the last (re)start, oldest first, whatever the estimate made of them. */
  private recent: ClockSample[] = [];
  private readonly jumpRecentSamples: number;
  private readonly pending = new Map<number, Milliseconds>();
  private nextSeq = 1;
  private probesSinceReset = 0;
  private lastProbeAtMs: Milliseconds | null = null;
  private startedAtMs: Milliseconds | null = null;
  private jumpCount = 0;

  /** `priorRate`: dimensionless rate expected before data (0, or the mapping being replaced). */
  constructor(options: Partial<ClockSyncOptions> = {}, priorRate = 0) {
    this.options = { ...DEFAULT_CLOCK_SYNC_OPTIONS, ...options };
    this.estimator = new ClockEstimator(this.options.estimator, priorRate);
    this.jumps = new JumpDetector(this.options.jump);
    this.jumpRecentSamples = { ...DEFAULT_JUMP_DETECTOR_OPTIONS, ...this.options.jump }.recentSamples;
  }

  /** Register and return the next probe, sent at local time `localNowMs`. */
  createProbe(localNowMs: Milliseconds): ClockProbe {
    for (const [seq, t0] of this.pending) {
      if (localNowMs - t0 > this.options.probeTimeoutMs || t0 > localNowMs) this.pending.delete(seq);
    }
    const probe = { seq: this.nextSeq++, t0: localNowMs };
    this.pending.set(probe.seq, probe.t0);
    this.probesSinceReset++;
    this.lastProbeAtMs = localNowMs;
    this.startedAtMs ??= localNowMs;
    return probe;
  }

  /**
   * The leader's reply to probe `seq`: t1/t2 = leader's shared time at receipt/send, t3 = local
   * receive time (all ms).
   */
  handleReply(seq: number, t1: Milliseconds, t2: Milliseconds, t3: Milliseconds): ReplyOutcome {
    const t0 = this.pending.get(seq);
    if (t0 === undefined) return ReplyOutcome.Ignored;
    this.pending.delete(seq);
    if (t3 - t0 > this.options.probeTimeoutMs || t3 < t0) return ReplyOutcome.Ignored;
    const sample = { t0, t1, t2, t3 };
    this.recent.push(sample);
    if (this.recent.length > CONTRADICTION_SAMPLES) this.recent.shift();
    if (!this.estimator.converged) {
      this.estimator.add(sample);
      return ReplyOutcome.Accepted;
    }
    const verdict = this.jumps.check(sample, (t) => this.estimator.offsetAt(t), this.estimator.uncertaintyAt(t3));
    if (verdict.violated) this.quarantine.push(sample);
    if (this.quarantine.length > this.jumpRecentSamples) this.quarantine.shift();
    if (verdict.jump) {
      this.restartAfterJump();
      return ReplyOutcome.Jump;
    }
    if (!verdict.violated) this.estimator.add(sample);
    return ReplyOutcome.Accepted;
  }

  /** Local ms until the next probe should be sent (0 = now). */
  nextProbeDelayMs(localNowMs: Milliseconds): Milliseconds {
    if (this.lastProbeAtMs === null) return 0;
    return Math.max(0, this.lastProbeAtMs + this.currentIntervalMs(localNowMs) - localNowMs);
  }

  /** Probe interval at local time `localNowMs`, ms: burst, then converge/warm-up, then upkeep. */
  currentIntervalMs(localNowMs: Milliseconds): Milliseconds {
    const o = this.options;
    if (this.probesSinceReset < o.burstProbes) return o.burstIntervalMs;
    if (!this.estimator.converged) return o.convergeIntervalMs;
    const warming = this.startedAtMs !== null && localNowMs - this.startedAtMs < o.warmupMs;
    return warming ? Math.min(o.warmupIntervalMs, o.upkeepIntervalMs) : o.upkeepIntervalMs;
  }

  /** The current estimate, or null before the first reply. */
  mapping(): LinearMapping | null {
    return this.estimator.mapping();
  }

  /** Jumps detected so far. */
  get jumpsDetected(): number {
    return this.jumpCount;
  }

  get converged(): boolean {
    return this.estimator.converged;
  }

  /** 1-sigma uncertainty of the estimate at a local time, ms (∞ without estimate). */
  uncertaintyAt(localMs: Milliseconds): Milliseconds {
    return this.estimator.uncertaintyAt(localMs);
  }

  /** 1-sigma uncertainty of the estimated rate, ppm. */
  rateSdPpm(): number {
    return this.estimator.rateSdPpm;
  }

  /**
   * How far `mapping` lies outside the feasibility interval [t2 − t3, t1 − t0] of the latest replies,
   * ms (0 when every one allows it). Unlike the distance to the estimate, this cannot be raised by a
   * late reply: a delay only widens its interval (a new leader busy taking over answered 140 ms
   * late, and the one-reply estimate sat 70 ms from the right timeline).
   */
  contradictionMs(mapping: LinearMapping): Milliseconds {
    return mappingContradictionMs(this.recent, mapping);
  }

  /** The state at local time `localMs`. */
  state(localMs: Milliseconds): ClockState {
    const m = this.estimator.mapping();
    return {
      offsetMs: m === null ? 0 : this.estimator.offsetAt(localMs),
      ratePpm: m === null ? 0 : m.rate * 1e6,
      uncertaintyMs: this.estimator.uncertaintyAt(localMs),
      bestRttMs: this.estimator.bestRttMs,
      converged: this.estimator.converged,
      sampleCount: this.estimator.sampleCount,
      jumps: this.jumpCount,
    };
  }

  /** Forget the estimate (keeping its rate as prior) and start a new burst. */
  restart(): void {
    this.estimator.reset();
    this.jumps.clear();
    this.quarantine = [];
    this.recent = [];
    this.pending.clear();
    this.probesSinceReset = 0;
    this.lastProbeAtMs = null;
    this.startedAtMs = null;
  }

  /**
   * A clock jumped: restart, keeping the rate (a jump does not change it) as a tight prior, and
   * seed the new estimate with the samples that revealed the jump.
   */
  private restartAfterJump(): void {
    const rate = this.estimator.mapping()?.rate ?? 0;
    const sd = Math.max(this.options.jumpRatePriorSdPpm, 4 * this.estimator.rateSdPpm);
    const seeds = this.quarantine;
    this.restart();
    this.estimator.reset(rate, sd);
    for (const sample of seeds) this.estimator.add(sample);
    this.jumpCount++;
  }
}
