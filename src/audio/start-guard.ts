/**
 * Whether the speaker engine may start a plan's first voice now, and the log of what held it back
 * (start-wait-log.ts): some of its track decoded, the output running, its timing startable and
 * not contradicted, and a join past the join gate (join-gate.ts) with the schedule's uncertainty
 * as the engine knows it.
 */
import { JoinGate } from '../sync/join-gate.js';
import type { PlaybackPlan } from '../sync/speaker-plan.js';
import { StartWaitLog, type StartBlocker, type StartWaitStep } from '../sync/start-wait-log.js';
import type { Milliseconds } from '../sync/units.js';
import type { AudioOutput } from './audio-output.js';
import type { EngineScheduleClock } from './engine-clock.js';

/** The start checks of one engine; see the module comment. */
export class StartGuard {
  private readonly gate = new JoinGate();
  private readonly log = new StartWaitLog();

  constructor(
    private readonly output: AudioOutput,
    private readonly clock: EngineScheduleClock,
  ) {}

  /** What holds a start of `plan` at page time `nowMs` (logged), or null when it may start. `hasAudio`: some of its track is decoded. */
  hold(plan: PlaybackPlan, hasAudio: boolean, nowMs: Milliseconds): StartBlocker | null {
    const blocker = hasAudio ? this.outputHold(plan, nowMs) : 'no-audio';
    if (blocker !== null) this.log.note(plan, nowMs, blocker);
    return blocker;
  }

  /** The plan's first voice started at page time `nowMs`. */
  started(plan: PlaybackPlan, nowMs: Milliseconds): void {
    this.log.note(plan, nowMs, 'started');
  }

  /** What held the current plan's first voice back, oldest first. */
  get steps(): readonly StartWaitStep[] {
    return this.log.steps;
  }

  private outputHold(plan: PlaybackPlan, nowMs: Milliseconds): StartBlocker | null {
    const timing = this.output.timing;
    if (this.output.state !== 'running') return 'output-stopped';
    if (!timing.startable) return timing.ready ? 'settling' : 'timing-unready';
    if (timing.contradicted) return 'contradicted';
    const nowSharedMs = this.clock.contextToSharedMs(this.output.context.currentTime);
    return this.gate.holdReason({ plan, nowSharedMs, nowMs, latencyConfirmed: timing.confirmed, uncertaintyMs: this.clock.uncertaintyMs() });
  }
}
