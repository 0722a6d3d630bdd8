/**
 * When a speaker may start a plan that started a while ago (a join): once a fresh reading confirms
 * its output latency, and its schedule is known within a millisecond or it waited long enough. A
 * late joiner is better silent a moment longer than audibly off. A fresh start never waits here
 * (press-to-sound). Pure: the caller hands in the times and the state of its timing.
 */
import { sameSchedule, type PlaybackPlan } from './speaker-plan.js';
import type { Milliseconds } from './units.js';

export const JOIN_GATE = {
  /** A plan that started this long before now is joined, not started, ms. */
  confirmAfterMs: 1_000,
  /**
   * A joiner starts once its schedule is known within this (1σ, ms: in sync means within 1 ms)…
   * bench:late-join's joiners started 5–8 ms off on a clock ±2.7–3.5 ms unsure while the track
   * streamed in, and re-scheduled within a second as the clock settled.
   */
  startUncertaintyMs: 1,
  /** …or once it waited this long with everything else ready (a clock that will not settle), ms. */
  maxClockWaitMs: 3_000,
} as const;

/** Why a join waits at the gate. */
export type JoinHold = 'unconfirmed' | 'unsure';

/** What the gate judges a start by. */
export interface JoinCheck {
  readonly plan: PlaybackPlan;
  /** Shared time now, ms. */
  readonly nowSharedMs: Milliseconds;
  /** Local monotonic time now (performance ms): how long a join waited. */
  readonly nowMs: Milliseconds;
  /** A fresh reading confirms the output latency. */
  readonly latencyConfirmed: boolean;
  /** 1σ of the schedule (output and clock), ms. */
  readonly uncertaintyMs: Milliseconds;
}

export class JoinGate {
  /** Since when a join of this plan waits for its schedule's uncertainty (local ms). */
  private wait: { readonly plan: PlaybackPlan; readonly sinceMs: Milliseconds } | null = null;

  /**
   * Why starting the plan must wait (see the module comment): no fresh reading confirms the
   * latency yet, or the schedule is still unsure; null when it may start.
   */
  holdReason(c: JoinCheck): JoinHold | null {
    if (c.nowSharedMs - c.plan.startSharedMs <= JOIN_GATE.confirmAfterMs) return null;
    if (!c.latencyConfirmed) return 'unconfirmed';
    // Keyed by schedule: the room hands over an equal plan object on every change.
    if (this.wait === null || !sameSchedule(this.wait.plan, c.plan)) this.wait = { plan: c.plan, sinceMs: c.nowMs };
    return c.uncertaintyMs > JOIN_GATE.startUncertaintyMs && c.nowMs - this.wait.sinceMs < JOIN_GATE.maxClockWaitMs ? 'unsure' : null;
  }
}
