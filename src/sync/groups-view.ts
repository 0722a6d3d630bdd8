/**
 * What the room view shows: each group as a card (members, stereo sides, what its zone plays),
 * the speakers in no group, and what plays everywhere. Pure: built from the group state, the
 * play state and the speakers the room knows.
 */
import { channelOf, getSpeaker, liveGroups, type RoomGroups, type StereoChannel, type StereoPair } from './group-state.js';
import { ZoneStatus, currentEntry, getZone, zoneOfSpeaker, type RoomPlayState } from './play-state.js';
import { EVERYWHERE_ZONE_ID } from './zone-targets.js';

/** A speaker known to the room: connected now, or remembered in the group registry. */
export interface KnownSpeaker {
  readonly speakerId: string;
  readonly name: string;
  readonly connected: boolean;
}

/** A zone's music as a card shows it; null fields when stopped. */
export interface ZoneView {
  readonly zoneId: string;
  readonly status: 'playing' | 'paused' | 'stopped';
  readonly title: string | null;
  readonly artist: string | null;
  /** 0..1 */
  readonly volume: number;
}

export interface MemberView extends KnownSpeaker {
  readonly channel: StereoChannel;
  /** The speaker's own volume (0..1) and mute, as it last told the room. */
  readonly volume: number;
  readonly muted: boolean;
  /** The speaker plays this group's music now (it is in the group's zone). */
  readonly inZone: boolean;
}

export interface GroupCardView {
  readonly groupId: string;
  readonly name: string;
  readonly members: readonly MemberView[];
  readonly pair: StereoPair | null;
  /** The group's zone, when it has one with members. */
  readonly zone: ZoneView | null;
}

export interface GroupsView {
  readonly groups: readonly GroupCardView[];
  readonly ungrouped: readonly KnownSpeaker[];
  readonly everywhere: ZoneView | null;
  /** Every known speaker (for "new group" and "move to"). */
  readonly speakers: readonly KnownSpeaker[];
}

function zoneView(play: RoomPlayState, zoneId: string): ZoneView | null {
  const zone = getZone(play, zoneId);
  if (zone === undefined || zone.members.length === 0) return null;
  const entry = zone.status === ZoneStatus.stopped ? undefined : currentEntry(zone);
  return { zoneId, status: entry ? zone.status : 'stopped', title: entry?.title ?? null, artist: entry?.artist ?? null, volume: zone.volume };
}

/** The room view. Members keep the group's order; speakers unknown to the room show by id. */
export function buildGroupsView(groups: RoomGroups, play: RoomPlayState, speakers: readonly KnownSpeaker[]): GroupsView {
  const byId = new Map(speakers.map((s) => [s.speakerId, s]));
  const grouped = new Set<string>();
  const cards = liveGroups(groups).map((g): GroupCardView => ({
    groupId: g.groupId,
    name: g.name,
    pair: g.pair,
    zone: zoneView(play, g.groupId),
    members: g.memberIds.map((id): MemberView => {
      grouped.add(id);
      const known = byId.get(id) ?? { speakerId: id, name: id, connected: false };
      const entry = getSpeaker(groups, id);
      return { ...known, channel: channelOf(groups, id), volume: entry?.volume ?? 1, muted: entry?.muted ?? false, inZone: zoneOfSpeaker(play, id) === g.groupId };
    }),
  }));
  return {
    groups: cards,
    ungrouped: speakers.filter((s) => !grouped.has(s.speakerId)),
    everywhere: zoneView(play, EVERYWHERE_ZONE_ID),
    speakers,
  };
}
