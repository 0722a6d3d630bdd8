import { expect } from '@open-wc/testing';
import { RoomSession } from '../../src/room/room-session.js';
import type { RoomSnapshot } from '../../src/room/room-snapshot.js';
import { makePeerId } from '../../src/sync/peer-ids.js';
import { SkewedClock } from '../../src/sync/skewed-clock.js';
import { MemoryHub } from '../fakes/memory-transport.js';
import { untilChange } from '../fakes/until-change.js';

const ROOM = 'unit';

/** Wait until `check` holds for the session's snapshot, on its change events; generous timeout. */
function until(session: RoomSession, check: (s: RoomSnapshot) => boolean, timeoutMs = 20_000): Promise<RoomSnapshot> {
  return untilChange(session, () => session.snapshot(), check, 'the snapshot', timeoutMs);
}

describe('RoomSession over an in-memory network', () => {
  let sessions: RoomSession[] = [];
  afterEach(() => {
    for (const s of sessions) s.dispose();
    sessions = [];
  });

  function join(hub: MemoryHub, speakerId: string, name: string, offsetMs = 0, ratePpm = 0): RoomSession {
    const clock = new SkewedClock(() => performance.now(), offsetMs, ratePpm);
    const session = new RoomSession({ roomId: ROOM, name, role: 'speaker', transport: hub.create(makePeerId(ROOM, speakerId)), now: clock.now });
    sessions.push(session);
    void session.start();
    return session;
  }

  it('three sessions see each other, agree on one leader, and followers sync their clocks', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa', 'A');
    await until(a, (s) => s.leaderId === s.selfId);
    const b = join(hub, 'bbbbbb', 'B', -7000, 150);
    const c = join(hub, 'cccccc', 'C', 12345, -90);
    for (const s of [a, b, c]) await until(s, (snap) => snap.members.length === 3 && snap.leaderId === a.selfId);
    for (const s of [b, c]) {
      const snap = await until(s, (x) => x.clock.converged);
      expect(snap.clock.role).to.equal('follower');
    }
    const names = (await until(b, (s) => s.members.length === 3)).members.map((m) => m.name);
    expect(names).to.deep.equal(['B', 'A', 'C']);
    const shared = [a, b, c].map((s) => s.timeline.now());
    expect(Math.max(...shared) - Math.min(...shared)).to.be.lessThan(5);
  });

  it('drops garbage with a reason and keeps working', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa', 'A');
    const b = join(hub, 'bbbbbb', 'B');
    await until(b, (s) => s.members.length === 2 && s.leaderId !== null);
    const frames: ArrayBuffer[] = [];
    a.addExtension({ binary: (_peerId, data) => frames.push(data) });
    expect(b.sendRaw('{"v":1,"type":"heartbeat","term":-1}')).to.equal(1);
    b.sendRaw(new ArrayBuffer(4));
    b.sendRaw('[1,2]');
    const snap = await until(a, (s) => s.dropped.count === 2);
    expect(snap.dropped.lastReason).to.match(/not a JSON object/);
    expect(snap.members).to.have.length(2);
    expect(frames.map((f) => f.byteLength), 'binary frames go to extensions, not the codec').to.deep.equal([4]);
  });

  it('fails over when the leader crashes, and the shared time continues', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa', 'A');
    await until(a, (s) => s.leaderId === s.selfId);
    const b = join(hub, 'bbbbbb', 'B', 5000, 100);
    const c = join(hub, 'cccccc', 'C', -3000, -100);
    for (const s of [b, c]) await until(s, (x) => x.clock.converged && x.members.length === 3);
    const before = b.timeline.now() - a.timeline.now();
    hub.crash(a.selfId);
    const newLeader = (await until(b, (s) => s.leaderId !== null && s.leaderId !== a.selfId)).leaderId;
    await until(c, (s) => s.leaderId === newLeader);
    expect(Math.abs(before)).to.be.lessThan(5);
    const survivors = [b, c].map((s) => s.timeline.now());
    expect(Math.abs(survivors[0]! - survivors[1]!)).to.be.lessThan(5);
  });

  it('renames: peers learn the new name', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa', 'A');
    const b = join(hub, 'bbbbbb', 'B');
    await until(a, (s) => s.members.length === 2);
    b.setName('Kitchen');
    await until(a, (s) => s.members.some((m) => m.name === 'Kitchen'));
  });
});
