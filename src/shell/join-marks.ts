/**
 * Performance marks of a join's steps, for support and for bench:late-join, which reads them
 * instead of dating the steps by its polls (a page busy joining answers a poll 300–400 ms late).
 * Each mark is set once, the first time its step is seen: `tutti-leader` (a leader other than this
 * tab is known), `tutti-clock` (the clock follows it, converged), `tutti-receiving` (a track
 * transfer runs), `tutti-scheduled` (the music is scheduled or playing) and `tutti-playing`.
 * Checked every {@link CHECK_EVERY_MS} until every mark is set or {@link CHECK_FOR_MS} passed: a
 * few property reads, no snapshot.
 */
import type { RoomPlayback } from '../room/room-playback.js';
import type { RoomSession } from '../room/room-session.js';
import type { Milliseconds } from '../sync/units.js';

const CHECK_EVERY_MS: Milliseconds = 20;
const CHECK_FOR_MS: Milliseconds = 60_000;

/** What one check sees of the join; each part is read at most once per check (the engine's report is not free). */
interface JoinView {
  following(): boolean;
  converged(): boolean;
  receiving(): boolean;
  phase(): string;
}

/** The join's steps, each with the test that it was reached. */
const STEPS: readonly (readonly [name: string, reached: (view: JoinView) => boolean])[] = [
  ['tutti-leader', (v) => v.following()],
  ['tutti-clock', (v) => v.following() && v.converged()],
  ['tutti-receiving', (v) => v.receiving()],
  ['tutti-scheduled', (v) => v.phase() === 'scheduled' || v.phase() === 'playing'],
  ['tutti-playing', (v) => v.phase() === 'playing'],
];

/** A view of the join for one check. */
function viewOf(session: RoomSession, playback: RoomPlayback): JoinView {
  let phase: string | undefined;
  return {
    following: () => session.leaderId !== null && session.leaderId !== session.selfId,
    converged: () => session.timeline.state().converged,
    receiving: () => playback.exchange.transfers().some((t) => t.phase === 'receiving'),
    phase: () => (phase ??= playback.speaker.report().phase),
  };
}

/** Starts marking the join's steps; returns the stop (idempotent). */
export function markJoinSteps(session: RoomSession, playback: RoomPlayback): () => void {
  const pending = new Map(STEPS);
  const startedMs = performance.now();
  const check = (): void => {
    const view = viewOf(session, playback);
    for (const [name, reached] of pending) {
      if (!reached(view)) continue;
      performance.mark(name);
      pending.delete(name);
    }
    if (pending.size === 0 || performance.now() - startedMs > CHECK_FOR_MS) stop();
  };
  const timer = setInterval(check, CHECK_EVERY_MS);
  const stop = (): void => clearInterval(timer);
  check();
  return stop;
}
