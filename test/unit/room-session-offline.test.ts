import { expect } from '@open-wc/testing';
import { RoomSession } from '../../src/room/room-session.js';
import type { RoomSnapshot } from '../../src/room/room-snapshot.js';
import { RetryingTransport } from '../../src/shell/retrying-transport.js';
import type { RoomTransport } from '../../src/shell/room-transport.js';
import { makePeerId } from '../../src/sync/peer-ids.js';
import { MemoryHub } from '../fakes/memory-transport.js';
import { untilChange } from '../fakes/until-change.js';

const ROOM = 'solo';

/** Wait until `check` holds for the session's snapshot, on its change events; generous timeout. */
function until(session: RoomSession, check: (s: RoomSnapshot) => boolean, timeoutMs = 20_000): Promise<RoomSnapshot> {
  return untilChange(session, () => session.snapshot(), check, 'the snapshot', timeoutMs);
}

describe('RoomSession without signaling', () => {
  let sessions: RoomSession[] = [];
  afterEach(() => {
    for (const s of sessions) s.dispose();
    sessions = [];
  });

  it('leads a room of one while unreachable, then joins the room (keeping its leader) when the network returns', async () => {
    const hub = new MemoryHub();
    let online = false;
    let networkBack = (): void => {};
    const offlineId = makePeerId(ROOM, 'aaaaaa');
    const transport = new RetryingTransport(offlineId, {
      // Long backoff: only the "network is back" signal reconnects in this test.
      retryMinMs: 60_000,
      connect: async (selfId): Promise<RoomTransport> => {
        const inner = hub.create(selfId);
        return online ? inner : Object.assign(inner, { start: () => Promise.reject(new Error('offline')) });
      },
      onNetworkBack: (retry) => {
        networkBack = retry;
        return () => {};
      },
    });
    const alone = new RoomSession({ roomId: ROOM, name: 'Alone', role: 'speaker', transport, now: () => performance.now() });
    sessions.push(alone);
    await alone.start();
    expect(alone.signalingState).to.equal('unreachable');
    await until(alone, (s) => s.leaderId === s.selfId);
    expect(alone.snapshot().members.map((m) => m.name)).to.deep.equal(['Alone']);

    const other = new RoomSession({ roomId: ROOM, name: 'Other', role: 'speaker', transport: hub.create(makePeerId(ROOM, 'bbbbbb')), now: () => performance.now() });
    sessions.push(other);
    await other.start();
    await until(other, (s) => s.leaderId === s.selfId);

    online = true;
    networkBack();
    await until(alone, (s) => s.signaling === 'open');
    for (const s of [alone, other]) await until(s, (snap) => snap.members.length === 2 && snap.leaderId !== null);
    // The room's leader keeps its place (the returning tab's id is lower: a rival claim would win).
    await until(alone, (s) => s.leaderId === other.selfId);
    expect(other.leaderId).to.equal(other.selfId);
    expect(alone.snapshot().clock.role).to.equal('follower');
  });
});
