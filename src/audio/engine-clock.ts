/**
 * The speaker engine's view of time: the shared timeline and the tab's local clock (injected), and
 * the output's mapping of context time to the time it is *heard*, composed into one
 * {@link ScheduleClock} (shared ms ⇄ context s heard), plus what the drift loop needs from them.
 */
import type { OutputTiming } from '../sync/output-timing.js';
import { correctionRatePpm, type ScheduleClock } from '../sync/playout-schedule.js';
import type { RateEstimate } from '../sync/rate-seed.js';
import type { Milliseconds, Seconds } from '../sync/units.js';

export interface EngineTimeline {
  toShared(localMs: Milliseconds): Milliseconds;
  toLocal(sharedMs: Milliseconds): Milliseconds;
  /** 1σ of the shared-time estimate, ms; Infinity while unsynced. */
  uncertaintyMs(): Milliseconds;
}

export interface EngineClock {
  fromPerfMs(perfMs: Milliseconds): Milliseconds;
  toPerfMs(localMs: Milliseconds): Milliseconds;
}

/** Shared ms ⇄ context time heard (so planStart gets outputLatencySec 0). */
export class EngineScheduleClock implements ScheduleClock {
  constructor(
    private readonly timing: OutputTiming,
    private readonly clock: EngineClock,
    private readonly timeline: EngineTimeline,
  ) {}

  sharedToContextSec(sharedMs: Milliseconds): Seconds {
    return this.timing.perfMsToContextSec(this.clock.toPerfMs(this.timeline.toLocal(sharedMs)));
  }

  contextToSharedMs(ctxSec: Seconds): Milliseconds {
    return this.timeline.toShared(this.clock.fromPerfMs(this.timing.contextToPerfMs(ctxSec)));
  }

  /** 1σ of a heard shared time: the output mapping's and the timeline's, ms. */
  uncertaintyMs(): Milliseconds {
    return Math.hypot(this.timing.uncertaintyMs, this.timeline.uncertaintyMs());
  }

  /**
   * The correction rate the output needs against the shared timeline now (see
   * {@link correctionRatePpm}): the render clock's rate, the local clock's skew and the
   * timeline's, with the render clock's rate uncertainty (ppm NaN while any is unknown).
   */
  rateHint(nowSec: Seconds): RateEstimate {
    return { ppm: correctionRatePpm(this, nowSec), sdPpm: this.timing.rateSdPpm };
  }
}
