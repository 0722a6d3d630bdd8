/**
 * The speaker engine's two timers: the drift tick (the drift loop's measurements, starts and
 * retries) and the slip tick (whole-sample slips). Owns both; {@link dispose} stops them.
 */
import type { Milliseconds } from '../sync/units.js';

/** Periods of the engine's ticks, ms. */
export interface EngineTickPeriods {
  readonly driftMs: Milliseconds;
  readonly slipMs: Milliseconds;
}

export class EngineTicks {
  private driftTimer: ReturnType<typeof setTimeout> | null;
  private slipTimer: ReturnType<typeof setInterval> | null;

  constructor(
    private readonly periods: EngineTickPeriods,
    private readonly onDrift: () => void,
    onSlip: () => void,
  ) {
    this.driftTimer = setInterval(onDrift, periods.driftMs);
    this.slipTimer = setInterval(onSlip, periods.slipMs);
  }

  /** The next drift tick comes in `delayMs`, and one every `driftMs` after it. */
  rephaseDrift(delayMs: Milliseconds): void {
    if (this.driftTimer === null) return;
    clearInterval(this.driftTimer);
    this.driftTimer = setTimeout(() => {
      this.driftTimer = setInterval(this.onDrift, this.periods.driftMs);
      this.onDrift();
    }, delayMs);
  }

  dispose(): void {
    // One list of timers: clearInterval also clears the timeout of a re-phase.
    if (this.driftTimer !== null) clearInterval(this.driftTimer);
    if (this.slipTimer !== null) clearInterval(this.slipTimer);
    this.driftTimer = null;
    this.slipTimer = null;
  }
}
