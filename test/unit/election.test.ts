import { expect } from '@open-wc/testing';
import { Election, shouldDial, type HeartbeatPayload, type PeerId } from '../../src/sync/election.js';
import { claimBeats, leaderSuccession, MAX_SUCCESSION, sanitizeIds, successionOrder } from '../../src/sync/succession.js';

const hb = (term: number, leaderId: PeerId | null, succession: PeerId[] = []): HeartbeatPayload => ({ term, leaderId, succession });

/** A node that already follows `leader` at `term` with `succession`, its peers up at t=0. */
function follower(self: PeerId, leader: PeerId, term: number, succession: PeerId[]): Election {
  const e = new Election(self);
  for (const id of succession) if (id !== self) e.peerUp(id, 0);
  e.onHeartbeat(leader, hb(term, leader, succession), 0);
  for (const id of succession) if (id !== self && id !== leader) e.onHeartbeat(id, hb(term, leader, succession), 0);
  return e;
}

describe('succession helpers', () => {
  it('shouldDial picks exactly one side of a pair', () => {
    expect(shouldDial('a', 'b')).to.equal(true);
    expect(shouldDial('b', 'a')).to.equal(false);
    expect(shouldDial('tutti-r-x10', 'tutti-r-x9')).to.not.equal(shouldDial('tutti-r-x9', 'tutti-r-x10'));
  });

  it('claimBeats: higher term, then lower id', () => {
    expect(claimBeats({ term: 3, leaderId: 'z' }, { term: 2, leaderId: 'a' })).to.equal(true);
    expect(claimBeats({ term: 2, leaderId: 'a' }, { term: 2, leaderId: 'b' })).to.equal(true);
    expect(claimBeats({ term: 2, leaderId: 'b' }, { term: 2, leaderId: 'a' })).to.equal(false);
    expect(claimBeats({ term: 2, leaderId: 'a' }, { term: 2, leaderId: 'a' })).to.equal(false);
  });

  it('orders members by the list, then by id', () => {
    expect(successionOrder(['c', 'a', 'gone'], ['b', 'a', 'd', 'c'])).to.deep.equal(['c', 'a', 'b', 'd']);
    expect(leaderSuccession('b', ['a', 'b', 'c', 'd'], ['e', 'a', 'd'])).to.deep.equal(['b', 'a', 'd', 'e']);
  });

  it('sanitizes lists from the wire', () => {
    expect(sanitizeIds(['a', 3, '', 'a', null, 'b'])).to.deep.equal(['a', 'b']);
    expect(sanitizeIds('a')).to.deep.equal([]);
    expect(sanitizeIds(Array.from({ length: 100 }, (_, i) => `p${i}`))).to.have.length(MAX_SUCCESSION);
  });
});

describe('Election', () => {
  it('claims an empty room once the listing shows nobody else', () => {
    const e = new Election('a');
    e.tick(0);
    expect(e.leaderId).to.equal(null);
    e.discovered(['a'], 50);
    expect(e.isLeader).to.equal(true);
    expect(e.term).to.equal(1);
    expect(e.heartbeat()).to.deep.equal({ term: 1, leaderId: 'a', succession: ['a'] });
  });

  it('waits the join grace while listed peers have not answered', () => {
    const e = new Election('a', { joinGraceMs: 1000 });
    e.discovered(['a', 'stale'], 0);
    e.tick(900);
    expect(e.leaderId).to.equal(null);
    e.tick(1000);
    expect(e.isLeader).to.equal(true);
  });

  it('keeps the join grace on a clock that reads negative (injected offset)', () => {
    const t0 = -9_000;
    const e = new Election('b');
    e.discovered(['a', 'b'], t0);
    e.tick(t0 + 100);
    e.tick(t0 + 1000);
    expect(e.leaderId, 'no claim while the listed peer has not answered').to.equal(null);
    e.peerUp('a', t0 + 1100);
    e.onHeartbeat('a', hb(1, 'a', ['a']), t0 + 1100);
    e.tick(t0 + 1200);
    expect(e.leaderId).to.equal('a');
  });

  it('follows a leader heard during the grace and adopts its term and list', () => {
    const e = new Election('a');
    e.discovered(['a', 'l'], 0);
    e.peerUp('l', 10);
    e.onHeartbeat('l', hb(4, 'l', ['l', 'x']), 20);
    expect(e.leaderId).to.equal('l');
    expect(e.term).to.equal(4);
    expect(e.succession()).to.deep.equal(['l', 'x', 'a']);
    e.onHeartbeat('l', hb(4, 'l', ['l', 'x', 'a']), 1000);
    e.tick(2000);
    expect(e.leaderId).to.equal('l');
  });

  it('a lower-id joiner does not take over a live leader', () => {
    const e = new Election('a');
    e.discovered(['a', 'm', 'z'], 0);
    e.peerUp('z', 10);
    for (const t of [20, 1000, 2000]) e.onHeartbeat('z', hb(1, 'm', ['m', 'z']), t);
    e.tick(2000);
    expect(e.leaderId, 'waits for the reported leader it cannot hear yet').to.equal(null);
    e.peerUp('m', 2100);
    expect(e.leaderId, 'follows the reported leader once connected').to.equal('m');
    e.onHeartbeat('m', hb(1, 'm', ['m', 'z', 'a']), 2110);
    expect(e.term).to.equal(1);
  });

  it('fails over to the first alive member of the succession after silence, once another member confirms', () => {
    const succession = ['l', 'b', 'c', 'd'];
    const b = follower('b', 'l', 2, succession);
    const c = follower('c', 'l', 2, succession);
    for (const t of [600, 1100]) {
      for (const e of [b, c]) for (const id of ['b', 'c', 'd']) e.heard(id, t);
    }
    b.tick(1201);
    c.tick(1201);
    expect(b.leaderId, 'b lost l').to.equal(null);
    expect(b.heartbeat()).to.deep.equal({ term: 2, leaderId: null, succession: ['b', 'c', 'd'] });
    b.onHeartbeat('c', c.heartbeat(), 1250);
    expect(b.leaderId, 'c confirmed the loss').to.equal('b');
    expect(b.term).to.equal(3);
    expect(b.succession()).to.deep.equal(['b', 'c', 'd']);
    expect(c.leaderId, 'c waits for b').to.equal(null);
    c.onHeartbeat('b', b.heartbeat(), 1300);
    expect(c.leaderId).to.equal('b');
    expect(c.term).to.equal(3);
  });

  it('without confirmation the successor claims after silenceConfirmMs, unless the leader is heard again', () => {
    for (const back of [false, true]) {
      const b = follower('b', 'l', 2, ['l', 'b', 'c']);
      b.onHeartbeat('c', hb(2, 'l', ['l', 'b', 'c']), 1000);
      b.tick(1201);
      expect(b.leaderId).to.equal(null);
      if (back) b.onHeartbeat('l', hb(2, 'l', ['l', 'b', 'c']), 1500);
      b.onHeartbeat('c', hb(2, 'l', ['l', 'b', 'c']), 1700);
      b.tick(1801);
      expect(b.leaderId).to.equal(back ? 'l' : 'b');
      expect(b.term).to.equal(back ? 2 : 3);
    }
  });

  it('fails over at once on goodbye, skipping dead members', () => {
    const c = follower('c', 'l', 1, ['l', 'b', 'c']);
    c.peerDown('b', 100);
    c.peerDown('l', 110);
    expect(c.isLeader).to.equal(true);
    expect(c.term).to.equal(2);
  });

  it('falls back to claiming when the expected successor never claims', () => {
    const c = follower('c', 'l', 1, ['l', 'b', 'c']);
    c.peerDown('l', 100);
    expect(c.leaderId).to.equal(null);
    c.onHeartbeat('b', hb(1, null, []), 500);
    c.tick(1299);
    expect(c.leaderId).to.equal(null);
    c.onHeartbeat('b', hb(1, null, []), 1300);
    c.tick(1300);
    expect(c.isLeader).to.equal(true);
    expect(c.term).to.equal(2);
  });

  it('two leaders: the higher term wins, then the lower id', () => {
    const a = new Election('a');
    a.discovered(['a'], 0);
    a.peerUp('b', 10);
    a.onHeartbeat('b', hb(1, 'b', ['b']), 20);
    expect(a.isLeader, 'equal term: a keeps it').to.equal(true);
    a.onHeartbeat('b', hb(2, 'b', ['b', 'x']), 30);
    expect(a.leaderId).to.equal('b');
    expect(a.term).to.equal(2);
    expect(a.heartbeat().succession).to.deep.equal(['b', 'x']);
  });

  it('two leaders in equal terms: the one with followers wins over a lone claimant with a lower id', () => {
    const m = new Election('m');
    m.discovered(['m'], 0);
    for (const id of ['n', 'o']) {
      m.peerUp(id, 10);
      m.onHeartbeat(id, hb(1, 'm', ['m', 'n', 'o']), 20);
    }
    m.peerUp('a', 30);
    m.onHeartbeat('a', hb(1, 'a', ['a']), 40);
    expect(m.isLeader, 'the room leader keeps its place').to.equal(true);
    const a = new Election('a');
    a.discovered(['a'], 0);
    expect(a.isLeader).to.equal(true);
    for (const id of ['m', 'n', 'o']) a.peerUp(id, 3000);
    a.onHeartbeat('n', hb(1, 'm', ['m', 'n', 'o']), 3010);
    a.onHeartbeat('m', hb(1, 'm', ['m', 'n', 'o']), 3020);
    expect(a.leaderId, 'the lone claimant follows the room').to.equal('m');
    expect(a.term).to.equal(1);
  });

  it('drops a leader that stops claiming (reloaded with a fresh state) and the successor takes over', () => {
    const b = follower('b', 'l', 3, ['l', 'b', 'c']);
    b.onHeartbeat('l', hb(0, null, []), 100);
    expect(b.leaderId).to.equal('b');
    expect(b.term).to.equal(4);
    expect(b.succession()).to.deep.equal(['b', 'c', 'l']);
  });

  it('a reloaded leader does not reclaim while peers still name its old incarnation', () => {
    const l = new Election('l');
    l.discovered(['l', 'b'], 0);
    l.peerUp('b', 10);
    for (const t of [20, 1000, 2000, 3000]) l.onHeartbeat('b', hb(3, 'l', ['l', 'b']), t);
    l.tick(3000);
    expect(l.leaderId).to.equal(null);
    l.onHeartbeat('b', hb(4, 'b', ['b', 'l']), 3100);
    expect(l.leaderId).to.equal('b');
  });

  it('ignores malformed heartbeats but counts them as heard', () => {
    const e = follower('b', 'l', 2, ['l', 'b']);
    e.onHeartbeat('x', { term: Number.NaN, leaderId: 'x', succession: [] }, 100);
    e.onHeartbeat('y', { term: 9, leaderId: 7 as unknown as string, succession: [] }, 100);
    e.onHeartbeat('z', { term: 9, leaderId: 'z', succession: 'z' as unknown as string[] }, 100);
    expect(e.leaderId).to.equal('z');
    expect(e.heartbeat().succession).to.deep.equal([]);
    expect(e.alivePeers()).to.deep.equal(['l', 'x', 'y', 'z']);
  });

  it('never lowers its term and ignores its own id and time going backwards', () => {
    const e = follower('b', 'l', 5, ['l', 'b']);
    e.onHeartbeat('l', hb(3, 'l', ['l']), 50);
    expect(e.term).to.equal(5);
    e.onHeartbeat('b', hb(9, 'b', ['b']), 60);
    e.tick(10);
    expect(e.leaderId).to.equal('l');
    expect(e.term).to.equal(5);
  });

  it('expires silent peers and reports alive peers sorted', () => {
    const e = new Election('m', { peerTimeoutMs: 1000 });
    e.peerUp('z', 0);
    e.peerUp('a', 0);
    e.heard('z', 500);
    e.tick(1200);
    expect(e.alivePeers()).to.deep.equal(['z']);
    e.peerDown('z', 1300);
    expect(e.alivePeers()).to.deep.equal([]);
  });
});
