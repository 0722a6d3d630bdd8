import { expect } from '@open-wc/testing';
import { GroupCoordinator } from '../../src/room/group-coordinator.js';
import { RoomSession } from '../../src/room/room-session.js';
import { emptyRoomGroups, liveGroups, type RoomGroups } from '../../src/sync/group-state.js';
import { makePeerId } from '../../src/sync/peer-ids.js';
import type { MemberRole } from '../../src/sync/protocol.js';
import { SkewedClock } from '../../src/sync/skewed-clock.js';
import { MemoryHub } from '../fakes/memory-transport.js';
import { untilChange } from '../fakes/until-change.js';

const ROOM = 'groups';

interface Member {
  readonly speakerId: string;
  readonly session: RoomSession;
  readonly groups: GroupCoordinator;
  /** What this tab persisted last. */
  saved: RoomGroups;
  mixes: { volume: number; muted: boolean }[];
}

/** Resolves when `check` holds for the member's groups (checked on change events). */
function until(m: Member, check: (state: RoomGroups) => boolean, what: string, timeoutMs = 20_000): Promise<RoomGroups> {
  return untilChange(m.groups, () => m.groups.state(), check, what, timeoutMs);
}

function untilLeader(members: Member[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const poll = (): void => {
      const leader = members[0]!.session.leaderId;
      if (leader !== null && members.every((m) => m.session.leaderId === leader && m.session.snapshot().members.length === members.length)) return resolve(leader);
      if (performance.now() - started > timeoutMs) return reject(new Error('no common leader'));
      setTimeout(poll, 50);
    };
    poll();
  });
}

const hasGroup = (name: string, members?: string[]) => (s: RoomGroups): boolean =>
  liveGroups(s).some((g) => g.name === name && (members === undefined || JSON.stringify(g.memberIds) === JSON.stringify(members)));

describe('GroupCoordinator over an in-memory room', () => {
  let members: Member[] = [];
  afterEach(() => {
    for (const m of members) {
      m.groups.dispose();
      m.session.dispose();
    }
    members = [];
  });

  function join(hub: MemoryHub, speakerId: string, saved: RoomGroups = emptyRoomGroups(), role: MemberRole = 'speaker', offsetMs = 0): Member {
    const clock = new SkewedClock(() => performance.now(), offsetMs, 0);
    const session = new RoomSession({ roomId: ROOM, name: speakerId, role, transport: hub.create(makePeerId(ROOM, speakerId)), now: clock.now });
    const member: Member = { speakerId, session, groups: null as unknown as GroupCoordinator, saved, mixes: [] };
    const groups = new GroupCoordinator({
      links: session, initial: emptyRoomGroups(), sharedNow: () => session.timeline.now(), now: clock.now,
      persist: (state) => (member.saved = state),
      mixRequested: (volume, muted) => member.mixes.push({ volume, muted }),
    });
    (member as { groups: GroupCoordinator }).groups = groups;
    session.addExtension(groups);
    void session.start().then(() => groups.restore(saved));
    members.push(member);
    return member;
  }

  it('replicates a group made on any member, and a late joiner gets it', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb', emptyRoomGroups(), 'speaker', 4000);
    await untilLeader([a, b]);
    expect(await b.groups.command({ type: 'createGroup', groupId: 'gdownstai', name: 'Downstairs', memberIds: ['aaaaaa', 'bbbbbb'] })).to.equal(null);
    for (const m of [a, b]) await until(m, hasGroup('Downstairs', ['aaaaaa', 'bbbbbb']), 'the group');
    const r = join(hub, 'rrrrrr', emptyRoomGroups(), 'remote', -3000);
    await until(r, hasGroup('Downstairs'), 'the group on the late joiner');
    expect(await r.groups.command({ type: 'renameGroup', groupId: 'gdownstai', name: 'Ground floor' })).to.equal(null);
    for (const m of [a, b, r]) await until(m, hasGroup('Ground floor'), 'the rename');
    expect(b.saved.groups.gdownstai?.name, 'each tab persists what it sees').to.equal('Ground floor');
  });

  it('speakers tell the room their name and mix; a mix change asked of a speaker reaches it', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb');
    await untilLeader([a, b]);
    b.groups.setOwnInfo({ name: 'Den', volume: 0.8, muted: false });
    await until(a, (s) => s.speakers.bbbbbb?.name === 'Den', 'b\'s entry');
    expect(a.groups.sendMix('bbbbbb', 0.3, true)).to.equal(true);
    await new Promise<void>((resolve) => {
      const poll = (): void => (b.mixes.length > 0 ? resolve() : void setTimeout(poll, 20));
      poll();
    });
    expect(b.mixes).to.deep.equal([{ volume: 0.3, muted: true }]);
    expect(a.groups.sendMix('zzzzzz', 0.3, true), 'no link to an unknown speaker').to.equal(false);
  });

  it('groups survive the leader leaving, and the new leader takes edits', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb', emptyRoomGroups(), 'speaker', 5000);
    const c = join(hub, 'cccccc', emptyRoomGroups(), 'speaker', -5000);
    const leaderId = await untilLeader([a, b, c]);
    const leader = members.find((m) => m.session.selfId === leaderId)!;
    const [f1, f2] = members.filter((m) => m !== leader) as [Member, Member];
    expect(await f1.groups.command({ type: 'createGroup', groupId: 'gdownstai', name: 'Downstairs', memberIds: [f1.speakerId, f2.speakerId] })).to.equal(null);
    for (const m of [f1, f2]) await until(m, hasGroup('Downstairs'), 'the group');
    hub.crash(leader.session.selfId);
    await untilLeader([f1, f2]);
    expect(await f2.groups.command({ type: 'setPair', groupId: 'gdownstai', pair: { leftId: f1.speakerId, rightId: f2.speakerId } })).to.equal(null);
    for (const m of [f1, f2]) await until(m, (s) => s.groups.gdownstai?.pair?.leftId === f1.speakerId && hasGroup('Downstairs')(s), 'the pair under the new leader');
  });

  it('groups come back when every tab closed and the room reopens from the persisted copies', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb');
    await untilLeader([a, b]);
    expect(await a.groups.command({ type: 'createGroup', groupId: 'gdownstai', name: 'Downstairs', memberIds: ['aaaaaa', 'bbbbbb'] })).to.equal(null);
    await until(b, hasGroup('Downstairs'), 'replicated');
    const savedA = a.saved;
    const savedB = b.saved;
    for (const m of members) {
      m.groups.dispose();
      m.session.dispose();
    }
    members = [];
    // Reopen: b first (it will lead) with an empty copy; a brings the group back.
    const hub2 = new MemoryHub();
    const b2 = join(hub2, 'bbbbbb', emptyRoomGroups());
    const a2 = join(hub2, 'aaaaaa', savedA);
    await untilLeader([b2, a2]);
    for (const m of [a2, b2]) await until(m, hasGroup('Downstairs', ['aaaaaa', 'bbbbbb']), 'the restored group');
    expect(savedB.groups.gdownstai?.revision).to.equal(1);
  });

  it('concurrent edits from two members both land, serialized by the leader', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'aaaaaa');
    const b = join(hub, 'bbbbbb');
    const c = join(hub, 'cccccc');
    await untilLeader([a, b, c]);
    expect(await a.groups.command({ type: 'createGroup', groupId: 'gdownstai', name: 'Downstairs', memberIds: ['aaaaaa', 'bbbbbb'] })).to.equal(null);
    for (const m of [b, c]) await until(m, hasGroup('Downstairs'), 'replicated');
    const [renamed, moved] = await Promise.all([
      b.groups.command({ type: 'renameGroup', groupId: 'gdownstai', name: 'Ground floor' }),
      c.groups.command({ type: 'moveSpeaker', speakerId: 'cccccc', groupId: 'gdownstai' }),
    ]);
    expect([renamed, moved]).to.deep.equal([null, null]);
    for (const m of [a, b, c]) await until(m, hasGroup('Ground floor', ['aaaaaa', 'bbbbbb', 'cccccc']), 'both edits');
    const refused = await b.groups.command({ type: 'createGroup', groupId: 'gsecondgr', name: 'ground FLOOR', memberIds: ['aaaaaa', 'cccccc'] });
    expect(refused).to.match(/already a group called/);
  });
});
