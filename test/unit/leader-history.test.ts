import { expect } from '@open-wc/testing';
import { Election, type HeartbeatPayload, type PeerId } from '../../src/sync/election.js';
import { LEADER_HISTORY_LENGTH, LeaderHistory } from '../../src/sync/leader-history.js';

const hb = (term: number, leaderId: PeerId | null, succession: PeerId[] = []): HeartbeatPayload => ({ term, leaderId, succession });

/** `self` follows `leader` in a room of `members`, every channel up at t=0. */
function follower(self: PeerId, leader: PeerId, members: PeerId[]): Election {
  const e = new Election(self, { peerTimeoutMs: 1200, silenceConfirmMs: 600 });
  for (const id of members) if (id !== self) e.peerUp(id, 0);
  for (const id of members) if (id !== self) e.onHeartbeat(id, hb(1, leader, members), 0);
  return e;
}

/** Records every change of (leader, term), as RoomSession does. */
function watch(e: Election): { history: LeaderHistory; at: (nowMs: number) => void } {
  const history = new LeaderHistory();
  let seen: { id: PeerId | null; term: number } = { id: null, term: 0 };
  const at = (nowMs: number): void => {
    if (e.leaderId === seen.id && e.term === seen.term) return;
    seen = { id: e.leaderId, term: e.term };
    history.record(nowMs, e.leaderId, e.term, e.lastLeaderLoss);
  };
  at(0);
  return { history, at };
}

describe('leader history', () => {
  it('says a leader was deposed for silence, and who took over', () => {
    const e = follower('b', 'a', ['a', 'b', 'c']);
    const { history, at } = watch(e);
    // c keeps talking, a falls silent: b (next in succession) claims after the timeout and the confirmation.
    for (let t = 100; t <= 2400; t += 100) {
      e.heard('c', t);
      e.tick(t);
      at(t);
    }
    const entries = history.entries();
    expect(entries.map((c) => [c.leaderId, c.term])).to.deep.equal([['a', 1], [null, 1], ['b', 2]]);
    expect(entries[1]!.lost).to.deep.equal({ leaderId: 'a', cause: 'silent' });
    expect(entries[1]!.atMs).to.be.within(1200, 1400);
    expect(entries[2]!.lost).to.equal(null);
    expect(e.lastLeaderLoss).to.include({ leaderId: 'a', cause: 'silent' });
  });

  it('says a leader left (goodbye or closed channel) or stepped down', () => {
    const left = follower('b', 'a', ['a', 'b']);
    left.peerDown('a', 500);
    expect(left.lastLeaderLoss).to.deep.equal({ leaderId: 'a', cause: 'left', atMs: 500 });
    const stepped = follower('c', 'a', ['a', 'b', 'c']);
    stepped.onHeartbeat('a', hb(2, 'b', ['b', 'a', 'c']), 300);
    expect(stepped.lastLeaderLoss).to.include({ leaderId: 'a', cause: 'stepped-down' });
  });

  it('keeps the newest entries', () => {
    const history = new LeaderHistory();
    for (let i = 0; i < LEADER_HISTORY_LENGTH + 5; i++) history.record(i, `p${i}`, i, null);
    const entries = history.entries();
    expect(entries).to.have.length(LEADER_HISTORY_LENGTH);
    expect(entries[0]!.leaderId).to.equal('p5');
  });
});
