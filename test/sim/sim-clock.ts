import type { Milliseconds, Ppm } from '../../src/sync/units.js';

/** A step of a simulated clock at a given true time. */
export interface ClockJump {
  /** True (simulation) time of the jump, ms. */
  readonly atMs: Milliseconds;
  /** Added to the clock's reading from then on, ms (e.g. +250 after a sleep). */
  readonly deltaMs: Milliseconds;
}

/** A simulated local clock (a tab's performance.now()) as a function of true time. */
export interface SimClockConfig {
  /** Reading at true time 0, ms (may be hours). */
  readonly offsetMs: Milliseconds;
  /** Constant rate error, ppm (+200 = runs 0.2 ms/s fast). */
  readonly skewPpm: Ppm;
  /** Amplitude of a slow sinusoidal rate wander (temperature), ppm; 0 = none. */
  readonly wanderPpm?: Ppm;
  /** Period of the wander, ms. */
  readonly wanderPeriodMs?: Milliseconds;
  /** Phase of the wander, radians. */
  readonly wanderPhase?: number;
  /** Reading quantum, ms (0.005 cross-origin isolated, 0.1 otherwise); 0 = exact. */
  readonly resolutionMs?: Milliseconds;
  /** Steps of the reading, in true-time order. */
  readonly jumps?: readonly ClockJump[];
}

/**
 * local(t) = offset + t·(1 + skew) + ∫wander + Σ jumps up to t, in closed form (pure, any order of
 * queries). `read` quantizes like performance.now(); `exact` is for measuring errors.
 */
export class SimClock {
  readonly config: SimClockConfig;

  constructor(config: SimClockConfig) {
    this.config = config;
  }

  /** The clock's exact (unquantized) value at true time `trueMs`. */
  exact(trueMs: Milliseconds): Milliseconds {
    const c = this.config;
    let value = c.offsetMs + trueMs + c.skewPpm * 1e-6 * trueMs;
    const wander = c.wanderPpm ?? 0;
    if (wander !== 0) {
      const period = c.wanderPeriodMs ?? 20 * 60_000;
      const phase = c.wanderPhase ?? 0;
      const omega = (2 * Math.PI) / period;
      value += ((wander * 1e-6) / omega) * (Math.cos(phase) - Math.cos(omega * trueMs + phase));
    }
    for (const jump of c.jumps ?? []) {
      if (jump.atMs <= trueMs) value += jump.deltaMs;
    }
    return value;
  }

  /** What the clock reads at true time `trueMs` (quantized to the resolution). */
  read(trueMs: Milliseconds): Milliseconds {
    const resolution = this.config.resolutionMs ?? 0;
    const value = this.exact(trueMs);
    return resolution > 0 ? Math.floor(value / resolution) * resolution : value;
  }

  /** Instantaneous rate error at true time `trueMs`, ppm. */
  ratePpmAt(trueMs: Milliseconds): Ppm {
    const c = this.config;
    const wander = c.wanderPpm ?? 0;
    if (wander === 0) return c.skewPpm;
    const omega = (2 * Math.PI) / (c.wanderPeriodMs ?? 20 * 60_000);
    return c.skewPpm + wander * Math.sin(omega * trueMs + (c.wanderPhase ?? 0));
  }
}
