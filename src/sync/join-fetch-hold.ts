/**
 * A late joiner's pause in fetching, for its clock. While the rest of a track streams in, the
 * joiner's main thread (and its sources') is so busy that the clock's round trips grow from 1–2 ms
 * to 80–400 ms (bench:late-join), and the clock stays several ms unsure: the joiner's first part
 * played 7.6 ms off, and it came in sync only after the transfer ended and a re-schedule. Once the
 * first part is in with runway to spare, the fetch waits for the clock instead. Pure.
 */
import type { Milliseconds, Seconds } from './units.js';

/** Tuning of {@link fetchHoldMs}. */
export const JOIN_FETCH_HOLD = {
  /** No hold once the clock is this sure of the room's time, ms (in sync means within 1 ms). */
  settledClockMs: 0.5,
  /** The fetch resumes with this much of the offered part still to play, s (the next part is a few chunks). */
  minRunwaySec: 2,
  /** A joiner holds at most this long in all (a clock that will not settle gets no more), ms. */
  maxHoldMs: 2_000,
} as const;

/** Where the joiner is: its runway, its clock, and how long it has held so far. */
export interface JoinFetchState {
  /** Offered part's end − position due now, s (0 or less: no part yet). */
  readonly runwaySec: Seconds;
  /** The clock's uncertainty about the room's time, ms. */
  readonly clockUncertaintyMs: Milliseconds;
  /** Since the first hold began, ms (0 before any). */
  readonly heldForMs: Milliseconds;
}

/** How long to hold the fetch from now, ms: 0 to fetch. Never past the runway's margin or the total bound. */
export function fetchHoldMs(s: JoinFetchState): Milliseconds {
  const o = JOIN_FETCH_HOLD;
  if (!(s.runwaySec > o.minRunwaySec) || !(s.clockUncertaintyMs > o.settledClockMs)) return 0;
  return Math.max(0, Math.min(o.maxHoldMs - s.heldForMs, (s.runwaySec - o.minRunwaySec) * 1000));
}
