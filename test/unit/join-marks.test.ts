import { expect, waitUntil } from '@open-wc/testing';
import type { RoomPlayback } from '../../src/room/room-playback.js';
import type { RoomSession } from '../../src/room/room-session.js';
import { markJoinSteps } from '../../src/shell/join-marks.js';

/** A joiner's state as the marks read it. */
interface JoinState {
  leaderId: string | null;
  converged: boolean;
  receiving: boolean;
  phase: string;
}

function fakes(state: JoinState): { session: RoomSession; playback: RoomPlayback } {
  const session = { selfId: 'self', get leaderId() { return state.leaderId; }, timeline: { state: () => ({ converged: state.converged }) } };
  const playback = {
    speaker: { report: () => ({ phase: state.phase }) },
    exchange: { transfers: () => (state.receiving ? [{ phase: 'receiving' }] : [{ phase: 'done' }]) },
  };
  return { session: session as unknown as RoomSession, playback: playback as unknown as RoomPlayback };
}

const marked = (name: string): number => performance.getEntriesByName(name, 'mark').length;

describe('markJoinSteps', () => {
  beforeEach(() => performance.clearMarks());

  it('marks each step once, when it is first reached, in the order reached', async () => {
    const state: JoinState = { leaderId: null, converged: false, receiving: false, phase: 'idle' };
    const { session, playback } = fakes(state);
    const stop = markJoinSteps(session, playback);
    try {
      expect(marked('tutti-leader')).to.equal(0);
      state.leaderId = 'leader';
      await waitUntil(() => marked('tutti-leader') === 1, 'leader marked', { timeout: 5_000 });
      state.receiving = true;
      state.phase = 'scheduled';
      await waitUntil(() => marked('tutti-scheduled') === 1 && marked('tutti-receiving') === 1, 'scheduled and receiving marked', { timeout: 5_000 });
      expect(marked('tutti-clock'), 'not converged yet').to.equal(0);
      expect(marked('tutti-playing')).to.equal(0);
      state.converged = true;
      state.phase = 'playing';
      await waitUntil(() => marked('tutti-playing') === 1 && marked('tutti-clock') === 1, 'playing and clock marked', { timeout: 5_000 });
      const at = (name: string): number => performance.getEntriesByName(name, 'mark')[0]!.startTime;
      expect(at('tutti-leader')).to.be.below(at('tutti-scheduled'));
      expect(at('tutti-scheduled')).to.be.below(at('tutti-playing'));
      for (const name of ['tutti-leader', 'tutti-clock', 'tutti-receiving', 'tutti-scheduled', 'tutti-playing']) expect(marked(name), name).to.equal(1);
    } finally {
      stop();
    }
  });

  it('marks no clock before a leader is known, and no leader (or its clock) while this tab leads', async () => {
    const alone: JoinState = { leaderId: null, converged: true, receiving: false, phase: 'scheduled' };
    const first = fakes(alone);
    const stopAlone = markJoinSteps(first.session, first.playback);
    try {
      await waitUntil(() => marked('tutti-scheduled') === 1, 'scheduled marked', { timeout: 5_000 });
      expect(marked('tutti-clock'), 'no leader yet').to.equal(0);
    } finally {
      stopAlone();
    }
    performance.clearMarks();
    const state: JoinState = { leaderId: 'self', converged: true, receiving: false, phase: 'playing' };
    const { session, playback } = fakes(state);
    const stop = markJoinSteps(session, playback);
    try {
      await waitUntil(() => marked('tutti-playing') === 1, 'playing marked', { timeout: 5_000 });
      expect(marked('tutti-leader')).to.equal(0);
      expect(marked('tutti-clock')).to.equal(0);
    } finally {
      stop();
    }
  });
});
