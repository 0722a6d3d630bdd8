import { expect } from '@open-wc/testing';
import { createRoomControl } from '../../src/features/room-control-impl.js';
import { ControlError, type ControlTarget, type RoomControl } from '../../src/features/room-control.js';
import { GroupCoordinator } from '../../src/room/group-coordinator.js';
import { PlaybackCoordinator } from '../../src/room/playback-coordinator.js';
import { RoomSession } from '../../src/room/room-session.js';
import { emptyRoomGroups } from '../../src/sync/group-state.js';
import { buildGroupsView } from '../../src/sync/groups-view.js';
import type { LibraryTrack } from '../../src/sync/library-track.js';
import { makePeerId } from '../../src/sync/peer-ids.js';
import { getZone, zoneOfSpeaker, type RoomPlayState } from '../../src/sync/play-state.js';
import { SkewedClock } from '../../src/sync/skewed-clock.js';
import { followGroupMoves, speakerZoneId, zoneLabel } from '../../src/sync/zone-targets.js';
import { MemoryHub } from '../fakes/memory-transport.js';

const ROOM = 'control';
const track = (n: number, artist: string, title: string): LibraryTrack => ({
  trackId: String(n).repeat(64).slice(0, 64), title, artist, album: '', durationSec: 200, sizeBytes: 1, mimeType: 'audio/wav', addedAtMs: 0, source: 'file', hasCover: false,
});
const TRACKS = [track(1, 'Dave Matthews Band', 'Crash Into Me'), track(2, 'Miles Davis', 'So What')];

interface Tab {
  readonly session: RoomSession;
  readonly play: PlaybackCoordinator;
  readonly groups: GroupCoordinator;
  readonly control: RoomControl;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RoomControl over groups and zones (in-memory room of four speakers)', () => {
  let tabs: Tab[] = [];
  afterEach(() => {
    for (const t of tabs) {
      t.groups.dispose();
      t.play.dispose();
      t.session.dispose();
    }
    tabs = [];
  });

  function join(hub: MemoryHub, speakerId: string): Tab {
    const clock = new SkewedClock(() => performance.now(), 0, 0);
    const session = new RoomSession({ roomId: ROOM, name: speakerId[0]!.toUpperCase() + speakerId.slice(1), role: 'speaker', transport: hub.create(makePeerId(ROOM, speakerId)), now: clock.now });
    const play = new PlaybackCoordinator({ links: session, role: 'speaker', sharedNow: () => session.timeline.now(), now: clock.now });
    const groups = new GroupCoordinator({ links: session, initial: emptyRoomGroups(), sharedNow: () => session.timeline.now(), now: clock.now, persist: () => {} });
    session.addExtension(play);
    session.addExtension(groups);
    void session.start();
    let n = 0;
    const control = createRoomControl({ groups, play, tracks: () => TRACKS, snapshot: () => session.snapshot(), makeGroupId: () => `g${speakerId.slice(0, 4)}${String(++n).padStart(4, '0')}` });
    const tab = { session, play, groups, control };
    tabs.push(tab);
    return tab;
  }

  const target = (c: RoomControl, name: string): ControlTarget => c.targets().find((t) => t.name === name)!;

  it('plays different music downstairs and in the office at once; the fourth speaker stays silent; moving a speaker follows the group', async () => {
    const hub = new MemoryHub();
    const [kitchen, den, office, attic] = ['kitchen', 'den000', 'office', 'attic0'].map((id) => join(hub, id)) as [Tab, Tab, Tab, Tab];
    await until('one leader, all seated', () => tabs.every((t) => t.session.leaderId !== null && t.session.leaderId === kitchen.session.leaderId && t.session.snapshot().members.length === 4)
      && (getZone(kitchen.play.state(), 'room')?.members.length ?? 0) === 4);
    const leader = tabs.find((t) => t.session.leaderId === t.session.selfId)!;
    // The leader keeps playing group zones in line with their groups (what groups-feature does).
    const follow = (): void => {
      for (const move of followGroupMoves(leader.groups.state(), leader.play.state())) void leader.play.command(move);
    };
    leader.groups.addEventListener('change', follow);

    const c = office.control;
    const downstairs = await c.createGroup('Downstairs', ['kitchen', 'den000']);
    expect(downstairs).to.include({ kind: 'group', name: 'Downstairs' });
    await until('the group everywhere', () => tabs.every((t) => t.control.targets().some((x) => x.name === 'Downstairs')));
    await c.play(target(c, 'Downstairs'), [TRACKS[0]!.trackId]);
    await c.play(target(c, 'Office'), [TRACKS[1]!.trackId]);
    await until('both zones replicated', () => tabs.every((t) => getZone(t.play.state(), speakerZoneId('office'))?.status === 'playing' && getZone(t.play.state(), downstairs.id)?.status === 'playing'));

    const state: RoomPlayState = attic.play.state();
    expect(zoneOfSpeaker(state, 'kitchen')).to.equal(downstairs.id);
    expect(zoneOfSpeaker(state, 'den000')).to.equal(downstairs.id);
    expect(getZone(state, downstairs.id)!.queue[0]!.title).to.equal('Crash Into Me');
    expect(getZone(state, speakerZoneId('office'))!.queue[0]!.title).to.equal('So What');
    expect(zoneOfSpeaker(state, 'attic0'), 'the fourth speaker stays in the idle everywhere zone').to.equal('room');
    expect(getZone(state, 'room')!.status).to.equal('stopped');
    expect(c.nowPlaying(target(c, 'Downstairs'))).to.deep.equal({ status: 'playing', title: 'Crash Into Me', artist: 'Dave Matthews Band' });
    expect(zoneLabel(downstairs.id, office.groups.state(), state, (id) => id)).to.equal('Downstairs');

    // Pause by naming one of its speakers pauses the zone that speaker plays in.
    await c.transport(target(c, 'Kitchen'), 'pause');
    await until('downstairs paused', () => getZone(attic.play.state(), downstairs.id)?.status === 'paused');
    await c.transport(target(c, 'Downstairs'), 'resume');
    await c.setVolume(target(c, 'Downstairs'), 0.4);
    await until('group volume', () => getZone(attic.play.state(), downstairs.id)?.volume === 0.4);

    // Move the attic into the playing group: it joins the group's music.
    expect(await attic.groups.command({ type: 'moveSpeaker', speakerId: 'attic0', groupId: downstairs.id })).to.equal(null);
    await until('the attic joins downstairs', () => zoneOfSpeaker(attic.play.state(), 'attic0') === downstairs.id);
    const view = buildGroupsView(attic.groups.state(), attic.play.state(), [{ speakerId: 'attic0', name: 'Attic0', connected: true }]);
    expect(view.groups[0]!.members.find((m) => m.speakerId === 'attic0')?.inZone).to.equal(true);
    // Take the den out: it falls silent in a zone of its own.
    expect(await den.groups.command({ type: 'moveSpeaker', speakerId: 'den000', groupId: null })).to.equal(null);
    await until('the den leaves', () => zoneOfSpeaker(attic.play.state(), 'den000') === speakerZoneId('den000'));
    expect(getZone(attic.play.state(), speakerZoneId('den000'))!.status).to.equal('stopped');
    leader.groups.removeEventListener('change', follow);
  });

  it('explains what it cannot do', async () => {
    const hub = new MemoryHub();
    const a = join(hub, 'kitchen');
    await until('leading', () => a.session.leaderId === a.session.selfId && getZone(a.play.state(), 'room') !== undefined);
    const c = a.control;
    const everywhere = target(c, 'everywhere');
    expect(c.defaultTarget()).to.deep.equal(everywhere);
    const failure = await c.transport(everywhere, 'pause').catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(ControlError);
    expect((failure as Error).message).to.equal('Nothing is playing anywhere');
    const noTracks = await c.play(everywhere, ['f'.repeat(64)]).catch((e: unknown) => e);
    expect((noTracks as Error).message).to.match(/not in the room's libraries/);
    const solo = await c.createGroup('Solo', ['kitchen']).catch((e: unknown) => e);
    expect((solo as Error).message).to.match(/at least two speakers/);
  });
});
