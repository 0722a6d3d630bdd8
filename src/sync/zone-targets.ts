/**
 * How groups map onto playing zones. Pure.
 *
 * - "Everywhere" plays in the zone {@link EVERYWHERE_ZONE_ID} (where new speakers are seated).
 * - A group plays in the zone whose id is the group's id.
 * - A single speaker plays in its own zone, `s<speakerId>`.
 * A speaker is in one zone at a time, so playing somewhere takes its speakers out of whatever they
 * played before ({@link gatherMoves}); and while a group's zone is active, the zone follows the
 * group's membership ({@link followGroupMoves}): a speaker added to a playing group joins its
 * music, one taken out falls silent in a zone of its own.
 */
import { liveGroups, type RoomGroups } from './group-state.js';
import { ZoneStatus, getZone, zoneOfSpeaker, type RoomPlayState } from './play-state.js';

/** The zone of "everywhere" (and of speakers that nobody placed yet). */
export const EVERYWHERE_ZONE_ID = 'room';

/** A zone move, as the play-state reducer takes it. */
export interface ZoneMove {
  readonly type: 'moveSpeaker';
  readonly speakerId: string;
  readonly toZoneId: string;
}

/** The zone in which a single speaker plays alone. */
export function speakerZoneId(speakerId: string): string {
  return `s${speakerId}`;
}

/** The moves that put exactly `speakerIds` (and keep any others already there) in `zoneId`. */
export function gatherMoves(play: RoomPlayState, zoneId: string, speakerIds: readonly string[]): ZoneMove[] {
  return speakerIds
    .filter((speakerId) => zoneOfSpeaker(play, speakerId) !== zoneId)
    .map((speakerId) => ({ type: 'moveSpeaker', speakerId, toZoneId: zoneId }));
}

/**
 * The moves that make each active group zone (playing or paused) hold exactly its group's
 * members. Zones of deleted groups and stopped zones are left alone.
 */
export function followGroupMoves(groups: RoomGroups, play: RoomPlayState): ZoneMove[] {
  const moves: ZoneMove[] = [];
  for (const group of liveGroups(groups)) {
    const zone = getZone(play, group.groupId);
    if (zone === undefined || zone.status === ZoneStatus.stopped) continue;
    moves.push(...gatherMoves(play, zone.zoneId, group.memberIds));
    for (const member of zone.members) {
      if (!group.memberIds.includes(member)) moves.push({ type: 'moveSpeaker', speakerId: member, toZoneId: speakerZoneId(member) });
    }
  }
  return moves;
}

/** What people call a zone: "Everywhere", the group's name, the speaker's name, or its members. */
export function zoneLabel(zoneId: string, groups: RoomGroups, play: RoomPlayState, speakerName: (speakerId: string) => string): string {
  if (zoneId === EVERYWHERE_ZONE_ID) return 'Everywhere';
  const group = Object.hasOwn(groups.groups, zoneId) ? groups.groups[zoneId] : undefined;
  if (group !== undefined && !group.deleted) return group.name;
  if (zoneId.startsWith('s') && getZone(play, zoneId)?.members.length === 1) return speakerName(zoneId.slice(1));
  return getZone(play, zoneId)?.members.map(speakerName).join(' + ') ?? zoneId;
}
