import type { Milliseconds, Seconds } from './units.js';

/**
 * The room's play state for the current track: the sample at track position `startPositionSec`
 * is heard at shared time `startSharedMs`, and the track plays at rate 1 on the shared timeline,
 * so position p is heard at shared time startSharedMs + (p − startPositionSec)·1000.
 */
export interface PlayState {
  /** Shared time (ms) at which `startPositionSec` is heard. */
  readonly startSharedMs: Milliseconds;
  /** Track position (s) heard at `startSharedMs`; ≥ 0 (> 0 after a resume or a seek). */
  readonly startPositionSec: Seconds;
}

/** Track position (s) that should be heard at the given shared time (may be < 0 or past the end). */
export function expectedPositionSec(sharedNowMs: Milliseconds, state: PlayState): Seconds {
  return state.startPositionSec + (sharedNowMs - state.startSharedMs) / 1000;
}

/** Shared time (ms) at which the given track position should be heard: inverse of {@link expectedPositionSec}. */
export function sharedTimeAtPositionMs(positionSec: Seconds, state: PlayState): Milliseconds {
  return state.startSharedMs + (positionSec - state.startPositionSec) * 1000;
}

/**
 * Playout error (ms, positive = audio late): how much later than planned the given track
 * position was heard. `trimMs` is the speaker's manual delay (positive = play later), so a
 * speaker exactly `trimMs` behind the room has zero error.
 */
export function playoutErrorMs(
  heardPositionSec: Seconds,
  heardAtSharedMs: Milliseconds,
  state: PlayState,
  trimMs: Milliseconds,
): Milliseconds {
  return heardAtSharedMs - (sharedTimeAtPositionMs(heardPositionSec, state) + trimMs);
}

/**
 * Conversions between the shared timeline and the audio output's scheduling clock
 * (`currentTime`, the clock `start(when)` uses), composed by the caller, e.g.
 * `(ms) => clockMap.perfMsToContext(timeline.toLocal(ms))`. They must be (near) inverses
 * and increasing. They map *render* time: output latency is applied separately (see
 * {@link StartInput.outputLatencySec}).
 */
export interface ScheduleClock {
  /** Context time (s) corresponding to a shared time (ms). */
  sharedToContextSec(sharedMs: Milliseconds): Seconds;
  /** Shared time (ms) corresponding to a context time (s). */
  contextToSharedMs(contextSec: Seconds): Milliseconds;
}

/** Everything {@link planStart} needs. All inputs are read, never changed. */
export interface StartInput {
  readonly state: PlayState;
  /** Length of the track (the buffer's duration), s. */
  readonly durationSec: Seconds;
  readonly clock: ScheduleClock;
  /**
   * Time (s, ≥ 0) between a frame's context time and the moment it leaves the speaker
   * (the browser's `outputLatency`, cross-checked). Pass 0 if `clock` already maps
   * shared time to the context time being *heard* (e.g. built from getOutputTimestamp()).
   */
  readonly outputLatencySec: Seconds;
  /** Manual per-speaker delay, ms; positive = this speaker plays later. */
  readonly trimMs: Milliseconds;
  /** The context's current time, s. */
  readonly nowContextSec: Seconds;
  /** start() is never scheduled earlier than now + this, s (e.g. 0.03). */
  readonly minLeadSec: Seconds;
}

/** Arguments for `AudioBufferSourceNode.start(whenSec, offsetSec)`. */
export interface StartPlan {
  /** Context time (s) at which to start; ≥ nowContextSec + minLeadSec. */
  readonly whenSec: Seconds;
  /** Track position (s) to start from; startPositionSec ≤ offsetSec < durationSec. */
  readonly offsetSec: Seconds;
  /** True when the ideal start was too early and the start of the state is skipped (late join). */
  readonly joinedLate: boolean;
}

/**
 * Context time (s) at which to render the given track position so it is heard on time:
 * sharedToContextSec(heard time + trim) − output latency.
 */
export function renderTimeSec(positionSec: Seconds, input: StartInput): Seconds {
  const heardSharedMs = sharedTimeAtPositionMs(positionSec, input.state) + input.trimMs;
  return input.clock.sharedToContextSec(heardSharedMs) - input.outputLatencySec;
}

/**
 * Track position (s) that should be rendered at the given context time: inverse of
 * {@link renderTimeSec}. May be < 0 (before the track) or ≥ the duration (after it).
 */
export function positionToRenderAtSec(contextSec: Seconds, input: StartInput): Seconds {
  const heardSharedMs = input.clock.contextToSharedMs(contextSec + input.outputLatencySec);
  return expectedPositionSec(heardSharedMs - input.trimMs, input.state);
}

/**
 * When and from where to start the track. The state is played from `startPositionSec` (0 for
 * a new track; a resume or seek position otherwise): earlier positions are never played.
 * Invariants of a non-null result: `whenSec ≥ nowContextSec + minLeadSec`,
 * `startPositionSec ≤ offsetSec < durationSec`, and the frame at `offsetSec` rendered at
 * `whenSec` is heard when the play state says (up to the accuracy of the conversions).
 * - Ideal start of `startPositionSec` still ahead by at least the lead (a future start):
 *   `{ whenSec: ideal, offsetSec: startPositionSec }`.
 * - Otherwise (late join, reschedule): start at now + lead, from the position due then.
 * - `null` when that position is at or past the end (track over), or a conversion gave a
 *   non-finite time (e.g. the audio clock map is not ready yet).
 */
export function planStart(input: StartInput): StartPlan | null {
  const earliestSec = input.nowContextSec + input.minLeadSec;
  const firstSec = Math.max(0, input.state.startPositionSec);
  const idealSec = renderTimeSec(firstSec, input);
  if (!Number.isFinite(idealSec) || !Number.isFinite(earliestSec)) return null;
  if (idealSec >= earliestSec) {
    return firstSec < input.durationSec ? { whenSec: idealSec, offsetSec: firstSec, joinedLate: false } : null;
  }
  const offsetSec = Math.max(firstSec, positionToRenderAtSec(earliestSec, input));
  if (!Number.isFinite(offsetSec) || offsetSec >= input.durationSec) return null;
  return { whenSec: earliestSec, offsetSec, joinedLate: true };
}

/**
 * The correction rate (ppm) a source on this context needs so that track time follows the shared
 * timeline: (track seconds per context second − 1)·1e6, the slope of `clock.contextToSharedMs`
 * over `spanSec` from `atSec`. Positive: the context clock runs slow (skip samples). NaN when a
 * conversion is not finite.
 */
export function correctionRatePpm(clock: ScheduleClock, atSec: Seconds, spanSec: Seconds = 10): number {
  const sharedMs = clock.contextToSharedMs(atSec + spanSec) - clock.contextToSharedMs(atSec);
  const ppm = (sharedMs / (spanSec * 1000) - 1) * 1e6;
  return Number.isFinite(ppm) ? ppm : Number.NaN;
}
