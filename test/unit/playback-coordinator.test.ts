import { expect } from '@open-wc/testing';
import { PlaybackCoordinator, DEFAULT_ZONE_ID } from '../../src/room/playback-coordinator.js';
import { RoomSession } from '../../src/room/room-session.js';
import { makePeerId } from '../../src/sync/peer-ids.js';
import { getZone, zonePositionSec, type QueueEntry, type RoomPlayState } from '../../src/sync/play-state.js';
import { SkewedClock } from '../../src/sync/skewed-clock.js';
import type { MemberRole } from '../../src/sync/protocol.js';
import { MemoryHub } from '../fakes/memory-transport.js';

const ROOM = 'play';
const TRACK_A: QueueEntry = { trackId: 'a'.repeat(64), title: 'Song A', artist: 'X', durationSec: 120 };
const TRACK_B: QueueEntry = { trackId: 'b'.repeat(64), title: 'Song B', artist: 'Y', durationSec: 90 };

interface Member {
  readonly session: RoomSession;
  readonly playback: PlaybackCoordinator;
  readonly hub: MemoryHub;
}

/** Resolve when `check` holds for the coordinator's state (checked on its change events). */
function until(m: Member, check: (state: RoomPlayState) => boolean, what: string, timeoutMs = 20_000): Promise<RoomPlayState> {
  return new Promise((resolve, reject) => {
    const test = (): boolean => {
      if (!check(m.playback.state())) return false;
      m.playback.removeEventListener('change', test);
      clearTimeout(timer);
      resolve(m.playback.state());
      return true;
    };
    const timer = setTimeout(() => {
      m.playback.removeEventListener('change', test);
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(m.playback.state())}`));
    }, timeoutMs);
    if (!test()) m.playback.addEventListener('change', test);
  });
}

function untilLeader(members: Member[], leader: Member, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const poll = (): void => {
      if (members.every((m) => m.session.leaderId === leader.session.selfId && m.session.snapshot().members.length === members.length)) return resolve();
      if (performance.now() - started > timeoutMs) return reject(new Error('no common leader'));
      setTimeout(poll, 50);
    };
    poll();
  });
}

describe('PlaybackCoordinator over an in-memory room', () => {
  let members: Member[] = [];
  afterEach(() => {
    for (const m of members) {
      m.playback.dispose();
      m.session.dispose();
    }
    members = [];
  });

  function join(hub: MemoryHub, speakerId: string, role: MemberRole = 'speaker', offsetMs = 0): Member {
    const clock = new SkewedClock(() => performance.now(), offsetMs, 0);
    const session = new RoomSession({ roomId: ROOM, name: speakerId.toUpperCase(), role, transport: hub.create(makePeerId(ROOM, speakerId)), now: clock.now });
    const playback = new PlaybackCoordinator({ links: session, role, sharedNow: () => session.timeline.now(), now: clock.now });
    session.addExtension(playback);
    void session.start();
    const member = { session, playback, hub };
    members.push(member);
    return member;
  }

  it('seats every speaker (not remotes) in the default zone and replicates it', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb', 'speaker', 4000);
    const r = join(hub, 'rrrrrr', 'remote', -2000);
    await untilLeader([a, b, r], a);
    for (const m of [a, b, r]) {
      const state = await until(m, (s) => (getZone(s, DEFAULT_ZONE_ID)?.members.length ?? 0) === 2, 'two seated speakers');
      expect([...getZone(state, DEFAULT_ZONE_ID)!.members].sort()).to.deep.equal(['aaaaaa', 'bbbbbb']);
    }
    expect(r.playback.ownZone()?.zoneId, 'a remote controls the default zone').to.equal(DEFAULT_ZONE_ID);
  });

  it('a remote plays, pauses and seeks; every member sees the same schedule in shared time', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb', 'speaker', 7000);
    const r = join(hub, 'rrrrrr', 'remote', -3000);
    await untilLeader([a, b, r], a);
    await until(a, (s) => (getZone(s, DEFAULT_ZONE_ID)?.members.length ?? 0) === 2, 'seated');
    const pressShared = r.session.timeline.now();
    expect(await r.playback.command({ type: 'play', zoneId: DEFAULT_ZONE_ID, queue: [TRACK_A, TRACK_B], index: 0 })).to.equal(null);
    for (const m of [a, b, r]) await until(m, (s) => getZone(s, DEFAULT_ZONE_ID)?.status === 'playing', 'playing');
    const zones = [a, b, r].map((m) => getZone(m.playback.state(), DEFAULT_ZONE_ID)!);
    expect(new Set(zones.map((z) => z.startSharedMs)).size, 'one start time everywhere').to.equal(1);
    const leadMs = zones[0]!.startSharedMs - pressShared;
    expect(leadMs).to.be.within(50, 1000);

    expect(await b.playback.command({ type: 'pause', zoneId: DEFAULT_ZONE_ID })).to.equal(null);
    await until(r, (s) => getZone(s, DEFAULT_ZONE_ID)?.status === 'paused', 'paused');
    expect(await r.playback.command({ type: 'seek', zoneId: DEFAULT_ZONE_ID, positionSec: 42 })).to.equal(null);
    const paused = await until(b, (s) => getZone(s, DEFAULT_ZONE_ID)?.pausedPositionSec === 42, 'seeked');
    expect(zonePositionSec(getZone(paused, DEFAULT_ZONE_ID)!, 0)).to.equal(42);
    expect(await r.playback.command({ type: 'next', zoneId: DEFAULT_ZONE_ID })).to.equal(null);
    const next = await until(a, (s) => getZone(s, DEFAULT_ZONE_ID)?.currentIndex === 1, 'next');
    expect(getZone(next, DEFAULT_ZONE_ID)!.status).to.equal('paused');
  });

  it('refuses bad commands with a reason and leaves the state alone', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb');
    await untilLeader([a, b], a);
    const before = a.playback.state();
    expect(await b.playback.command({ type: 'pause', zoneId: DEFAULT_ZONE_ID })).to.match(/not playing|unknown zone/);
    expect(await b.playback.command({ type: 'seek', zoneId: 'nope', positionSec: 1 })).to.match(/unknown zone/);
    expect(a.playback.state().zones[DEFAULT_ZONE_ID]?.revision).to.equal(before.zones[DEFAULT_ZONE_ID]?.revision);
  });

  it('the music survives the leader: the new leader keeps the schedule and takes commands', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb', 'speaker', 5000);
    const c = join(hub, 'cccccc', 'speaker', -5000);
    await untilLeader([a, b, c], a);
    await until(a, (s) => (getZone(s, DEFAULT_ZONE_ID)?.members.length ?? 0) === 3, 'seated');
    expect(await c.playback.command({ type: 'play', zoneId: DEFAULT_ZONE_ID, queue: [TRACK_A, TRACK_B] })).to.equal(null);
    const playing = await until(b, (s) => getZone(s, DEFAULT_ZONE_ID)?.status === 'playing', 'playing');
    const startSharedMs = getZone(playing, DEFAULT_ZONE_ID)!.startSharedMs;
    hub.crash(a.session.selfId);
    const survivors = [b, c];
    await new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const poll = (): void => {
        const leaders = new Set(survivors.map((m) => m.session.leaderId));
        if (leaders.size === 1 && !leaders.has(a.session.selfId) && !leaders.has(null)) return resolve();
        if (performance.now() - started > 20_000) return reject(new Error('no new leader'));
        setTimeout(poll, 50);
      };
      poll();
    });
    for (const m of survivors) expect(getZone(m.playback.state(), DEFAULT_ZONE_ID)!.startSharedMs, 'no restart').to.equal(startSharedMs);
    expect(await c.playback.command({ type: 'next', zoneId: DEFAULT_ZONE_ID })).to.equal(null);
    for (const m of survivors) await until(m, (s) => getZone(s, DEFAULT_ZONE_ID)?.currentIndex === 1, 'next after failover');
  });

  it('relays playout reports to every member', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb');
    await untilLeader([a, b], a);
    b.playback.setOwnReport({ phase: 'playing', zoneId: 'room', trackId: TRACK_A.trackId, positionSec: 3, errorMs: 0.1, uncertaintyMs: 0.05, outputLatencyMs: 32, trimMs: 0, ratePpm: 12, rateChanges: 1, reschedules: 0, message: null });
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (a.playback.reports().get(b.session.selfId)?.report.phase !== 'playing') return;
        a.playback.removeEventListener('change', check);
        resolve();
      };
      a.playback.addEventListener('change', check);
      check();
    });
    expect(a.playback.reports().get(b.session.selfId)!.report.outputLatencyMs).to.equal(32);
  });
});
