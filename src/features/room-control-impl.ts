/**
 * {@link RoomControl} over the room's groups (GroupCoordinator) and zones (PlaybackCoordinator):
 * what the voice controller and the group cards drive. Playing on a target gathers its speakers
 * into the target's zone first (taking them out of what they played), then starts the queue.
 */
import type { GroupCoordinator } from '../room/group-coordinator.js';
import type { PlaybackCoordinator } from '../room/playback-coordinator.js';
import type { RoomSnapshot } from '../room/room-snapshot.js';
import { getSpeaker, liveGroups, nameKey } from '../sync/group-state.js';
import { parsePeerId } from '../sync/peer-ids.js';
import { ZoneStatus, currentEntry, getZone, zoneOfSpeaker, type PlayCommand, type QueueEntry, type ZoneState } from '../sync/play-state.js';
import type { KnownSpeaker } from '../sync/groups-view.js';
import { EVERYWHERE_ZONE_ID, gatherMoves, speakerZoneId } from '../sync/zone-targets.js';
import { ControlError, TargetKind, type ControlTarget, type ControlTrack, type NowPlaying, type RoomControl, type TransportAction } from './room-control.js';
import { compareText } from '../sync/text-order.js';

export interface RoomControlDeps {
  readonly groups: GroupCoordinator;
  readonly play: PlaybackCoordinator;
  /** The tracks the room can play (this tab's library and its peers' catalogs). */
  readonly tracks: () => readonly ControlTrack[];
  readonly snapshot: () => RoomSnapshot;
  /** A fresh group id (`g` + 8 lowercase letters/digits). */
  readonly makeGroupId: () => string;
}

/** Every speaker the room knows, connected ones first, then by name. */
export function knownSpeakers(deps: Pick<RoomControlDeps, 'groups' | 'snapshot'>): KnownSpeaker[] {
  const byId = new Map<string, KnownSpeaker>();
  for (const m of deps.snapshot().members) {
    const speakerId = parsePeerId(m.peerId)?.speakerId;
    if (m.role === 'speaker' && speakerId !== undefined && (m.isSelf || m.state === 'connected')) byId.set(speakerId, { speakerId, name: m.name, connected: true });
  }
  for (const [speakerId, entry] of Object.entries(deps.groups.state().speakers)) {
    if (!byId.has(speakerId)) byId.set(speakerId, { speakerId, name: entry.name, connected: false });
  }
  return [...byId.values()].sort((a, b) => Number(b.connected) - Number(a.connected) || compareText(a.name, b.name));
}

export function createRoomControl(deps: RoomControlDeps): RoomControl {
  const { groups, play } = deps;

  const command = async (cmd: PlayCommand): Promise<void> => {
    const error = await play.command(cmd);
    if (error !== null) throw new ControlError(error);
  };

  /** The zone a target's music lives in now (its own zone, else the zone of its first member). */
  const zoneOf = (target: ControlTarget): ZoneState | undefined => {
    const own = getZone(play.state(), targetZoneId(target));
    if (own !== undefined && own.members.length > 0) return own;
    const memberZone = target.memberIds.map((m) => zoneOfSpeaker(play.state(), m)).find((z) => z !== null);
    return memberZone ? getZone(play.state(), memberZone) : undefined;
  };

  const activeZones = (target: ControlTarget): ZoneState[] => {
    if (target.kind !== TargetKind.everywhere) return [zoneOf(target)].filter((z): z is ZoneState => z !== undefined);
    return Object.values(play.state().zones).filter((z) => z.members.length > 0);
  };

  const control: RoomControl = {
    targets() {
      const speakers = knownSpeakers(deps);
      const everywhere: ControlTarget = { kind: TargetKind.everywhere, id: 'everywhere', name: 'everywhere', memberIds: speakers.map((s) => s.speakerId) };
      const groupTargets = liveGroups(groups.state()).map((g): ControlTarget => ({ kind: TargetKind.group, id: g.groupId, name: g.name, memberIds: g.memberIds }));
      const speakerTargets = speakers.map((s): ControlTarget => ({ kind: TargetKind.speaker, id: s.speakerId, name: s.name, memberIds: [s.speakerId] }));
      return [everywhere, ...groupTargets, ...speakerTargets];
    },

    defaultTarget() {
      const targets = control.targets();
      const self = groups.selfSpeakerId;
      const zoneId = zoneOfSpeaker(play.state(), self);
      const own = targets.find((t) => (t.kind === TargetKind.group && t.id === zoneId) || (t.kind === TargetKind.speaker && speakerZoneId(t.id) === zoneId));
      return own ?? targets[0]!;
    },

    tracks(): ControlTrack[] {
      return [...deps.tracks()];
    },

    async play(target, trackIds) {
      const known = new Map(deps.tracks().map((t) => [t.trackId, t]));
      const queue = trackIds.map((id) => known.get(id)).filter((t) => t !== undefined)
        .map((t): QueueEntry => ({ trackId: t.trackId, title: t.title, artist: t.artist, durationSec: t.durationSec }));
      if (queue.length === 0) throw new ControlError('Those tracks are not in the room\'s libraries');
      if (target.memberIds.length === 0) throw new ControlError(`${target.name} has no speakers`);
      const zoneId = targetZoneId(target);
      // Moves and play go to the leader one by one; if the leader changed in between (its state
      // lacking the moves), gather again from what this tab now knows and retry once.
      for (let attempt = 0; ; attempt++) {
        for (const move of gatherMoves(play.state(), zoneId, target.memberIds)) await command(move);
        const error = await play.command({ type: 'play', zoneId, queue, index: 0 });
        if (error === null) return;
        if (attempt > 0 || error !== 'zone has no speakers') throw new ControlError(error);
        for (const speakerId of target.memberIds) await command({ type: 'moveSpeaker', speakerId, toZoneId: zoneId });
      }
    },

    async transport(target, action: TransportAction) {
      const wanted = action === 'pause' ? ZoneStatus.playing : action === 'resume' ? ZoneStatus.paused : null;
      const zones = activeZones(target).filter((z) => (wanted === null ? z.status !== ZoneStatus.stopped : z.status === wanted));
      if (zones.length === 0) throw new ControlError(`Nothing is ${action === 'resume' ? 'paused' : 'playing'} ${placeText(target)}`);
      for (const zone of zones) await command({ type: action, zoneId: zone.zoneId });
    },

    volume(target) {
      if (target.kind === TargetKind.speaker) return getSpeaker(groups.state(), target.id)?.volume ?? 1;
      return activeZones(target)[0]?.volume ?? 1;
    },

    async setVolume(target, volume) {
      const v = Math.max(0, Math.min(1, volume));
      if (target.kind === TargetKind.speaker) {
        const entry = getSpeaker(groups.state(), target.id);
        if (!groups.sendMix(target.id, v, entry?.muted ?? false)) throw new ControlError(`${target.name} is not connected`);
        return;
      }
      const zones = activeZones(target);
      if (zones.length === 0) throw new ControlError(`Nothing is playing ${placeText(target)}`);
      for (const zone of zones) await command({ type: 'setVolume', zoneId: zone.zoneId, volume: v });
    },

    async setMuted(target, muted) {
      const unreachable = target.memberIds.filter((id) => !groups.sendMix(id, getSpeaker(groups.state(), id)?.volume ?? 1, muted));
      if (unreachable.length === target.memberIds.length) throw new ControlError(`${target.name} is not connected`);
    },

    async createGroup(name, speakerIds) {
      const existing = liveGroups(groups.state()).find((g) => nameKey(g.name) === nameKey(name));
      const groupId = existing?.groupId ?? deps.makeGroupId();
      const error = await groups.command(existing
        ? { type: 'setMembers', groupId, memberIds: speakerIds }
        : { type: 'createGroup', groupId, name, memberIds: speakerIds });
      if (error !== null) throw new ControlError(error);
      const group = groups.state().groups[groupId];
      return { kind: TargetKind.group, id: groupId, name: group?.name ?? name, memberIds: group?.memberIds ?? speakerIds };
    },

    nowPlaying(target): NowPlaying {
      const zone = activeZones(target).find((z) => z.status === ZoneStatus.playing) ?? activeZones(target)[0];
      const entry = zone ? currentEntry(zone) : undefined;
      if (zone === undefined || entry === undefined || zone.status === ZoneStatus.stopped) return { status: 'stopped', title: null, artist: null };
      return { status: zone.status, title: entry.title, artist: entry.artist };
    },
  };
  return control;
}

/** The zone a target plays in when asked to play. */
export function targetZoneId(target: ControlTarget): string {
  if (target.kind === TargetKind.everywhere) return EVERYWHERE_ZONE_ID;
  return target.kind === TargetKind.group ? target.id : speakerZoneId(target.id);
}

const placeText = (target: ControlTarget): string => (target.kind === TargetKind.everywhere ? 'anywhere' : `in ${target.name}`);
