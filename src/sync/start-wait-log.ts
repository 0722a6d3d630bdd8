/**
 * What held a plan's first voice back, and since when: the engine notes at each start attempt the
 * first thing missing (or that it started), and the log keeps the changes, for the diagnostics and
 * bench:sync's late joiner. A join's wait between its music arriving and its first sound is made
 * of these steps (the output's render line maturing, a reading confirming the latency, the clock
 * settling); the page's performance marks cannot see them. Pure.
 */
import { sameSchedule, type PlaybackPlan } from './speaker-plan.js';
import type { JoinHold } from './join-gate.js';
import type { Milliseconds } from './units.js';

/** The first thing missing at a start attempt, or 'started'. */
export type StartBlocker =
  | 'no-audio'
  | 'output-stopped'
  | 'timing-unready'
  | 'settling'
  | 'contradicted'
  | JoinHold
  | 'started';

/** One change of what held the start: page time (performance ms) and the new state. */
export interface StartWaitStep {
  readonly atMs: Milliseconds;
  readonly blocker: StartBlocker;
}

/** Steps kept per plan: a start that never comes stops logging here. */
const MAX_STEPS = 16;

/** The changes of what held one plan's first voice back; see the module comment. */
export class StartWaitLog {
  private plan: PlaybackPlan | null = null;
  private log: StartWaitStep[] = [];

  /** A start attempt for `plan` at page time `atMs` found `blocker` first (or started). */
  note(plan: PlaybackPlan, atMs: Milliseconds, blocker: StartBlocker): void {
    if (this.plan === null || !sameSchedule(this.plan, plan)) {
      this.plan = plan;
      this.log = [];
    }
    const last = this.log.at(-1);
    if (last?.blocker === 'started' || last?.blocker === blocker || this.log.length >= MAX_STEPS) return;
    this.log.push({ atMs, blocker });
  }

  /** The current plan's steps, oldest first (empty before any attempt). */
  get steps(): readonly StartWaitStep[] {
    return this.log;
  }
}
