/**
 * Validation of untrusted play state and commands from peers, and the followers' merge rule.
 * Decoders never throw: they return either a value rebuilt from known fields only (unknown
 * fields are dropped) that satisfies every documented invariant of its type, or a reason.
 */
import { SPEAKER_ID_PATTERN } from './peer-ids.js';
import {
  MAX_DURATION_SEC,
  MAX_QUEUE_ENTRIES,
  MAX_ZONES,
  MAX_ZONE_MEMBERS,
  TRACK_ID_PATTERN,
  ZONE_ID_PATTERN,
  ZoneStatus,
  currentEntry,
  getZone,
  type PlayCommand,
  type QueueEntry,
  type RoomPlayState,
  type SpeakerMix,
  type ZoneState,
} from './play-state.js';
import { Invalid, decode, int, list, matching, need, num, record, text, type Decoded } from './decode-checks.js';

export type { Decoded } from './decode-checks.js';

function entry(v: unknown): QueueEntry {
  const r = record(v, 'queue entry');
  return {
    trackId: matching(r.trackId, TRACK_ID_PATTERN, 'trackId'),
    title: text(r.title, 'title'),
    artist: text(r.artist, 'artist'),
    durationSec: num(r.durationSec, Number.MIN_VALUE, MAX_DURATION_SEC, 'durationSec'),
  };
}

const entries = (v: unknown, minLength: number): QueueEntry[] =>
  list(v, minLength, MAX_QUEUE_ENTRIES, 'queue').map(entry);

const MAX_FINITE = Number.MAX_VALUE;

function zone(v: unknown): ZoneState {
  const r = record(v, 'zone');
  const members = list(r.members, 0, MAX_ZONE_MEMBERS, 'members').map((m) => matching(m, SPEAKER_ID_PATTERN, 'member'));
  need(new Set(members).size === members.length, 'members must be distinct');
  const queue = entries(r.queue, 0);
  const status = r.status;
  need(Object.values<unknown>(ZoneStatus).includes(status), 'status is not valid');
  const z: ZoneState = {
    zoneId: matching(r.zoneId, ZONE_ID_PATTERN, 'zoneId'),
    members,
    queue,
    currentIndex: int(r.currentIndex, -1, queue.length - 1, 'currentIndex'),
    status: status as ZoneStatus,
    startSharedMs: num(r.startSharedMs, -MAX_FINITE, MAX_FINITE, 'startSharedMs'),
    startPositionSec: num(r.startPositionSec, 0, MAX_FINITE, 'startPositionSec'),
    pausedPositionSec: num(r.pausedPositionSec, 0, MAX_FINITE, 'pausedPositionSec'),
    volume: num(r.volume, 0, 1, 'volume'),
    revision: int(r.revision, 0, Number.MAX_SAFE_INTEGER, 'revision'),
  };
  const durationSec = currentEntry(z)?.durationSec ?? 0;
  if (z.status !== ZoneStatus.stopped) need(durationSec > 0 && members.length > 0, 'an active zone needs a track and speakers');
  if (z.status === ZoneStatus.playing) need(z.startPositionSec < durationSec, 'startPositionSec is past the end');
  if (z.status === ZoneStatus.paused) need(z.pausedPositionSec < durationSec, 'pausedPositionSec is past the end');
  return z;
}

/** Decode one replicated zone (see {@link ZoneState} for the invariants checked). */
export function decodeZoneState(v: unknown): Decoded<ZoneState> {
  return decode(() => zone(v));
}

/**
 * Decode a replicated room state: version 1, ≤ MAX_ZONES zones, each key equal to its zone's id,
 * every zone valid, and no speaker in two zones.
 */
export function decodePlayState(v: unknown): Decoded<RoomPlayState> {
  return decode(() => {
    const r = record(v, 'play state');
    need(r.version === 1, 'unsupported version');
    const raw = record(r.zones, 'zones');
    const keys = Object.keys(raw);
    need(keys.length <= MAX_ZONES, `at most ${MAX_ZONES} zones`);
    const zones = keys.map((key) => {
      const z = zone(raw[key]);
      need(z.zoneId === key, 'zone key differs from zoneId');
      return z;
    });
    const speakers = zones.flatMap((z) => z.members);
    need(new Set(speakers).size === speakers.length, 'a speaker is in two zones');
    return { version: 1, zones: Object.fromEntries(zones.map((z) => [z.zoneId, z])) };
  });
}

/** Decode a command; state-dependent checks (index in range, seek within the track) are the reducer's. */
export function decodeCommand(v: unknown): Decoded<PlayCommand> {
  return decode((): PlayCommand => {
    const r = record(v, 'command');
    const type = r.type;
    if (type === 'moveSpeaker') {
      const toZoneId = r.toZoneId === null ? null : matching(r.toZoneId, ZONE_ID_PATTERN, 'toZoneId');
      return { type, speakerId: matching(r.speakerId, SPEAKER_ID_PATTERN, 'speakerId'), toZoneId };
    }
    const zoneId = matching(r.zoneId, ZONE_ID_PATTERN, 'zoneId');
    switch (type) {
      case 'play':
        return {
          type,
          zoneId,
          ...(r.queue !== undefined && { queue: entries(r.queue, 1) }),
          ...(r.index !== undefined && { index: int(r.index, 0, MAX_QUEUE_ENTRIES - 1, 'index') }),
        };
      case 'pause':
      case 'resume':
      case 'next':
      case 'previous':
      case 'stop':
        return { type, zoneId };
      case 'seek':
        return { type, zoneId, positionSec: num(r.positionSec, 0, MAX_DURATION_SEC, 'positionSec') };
      case 'enqueue':
        return { type, zoneId, entries: entries(r.entries, 1) };
      case 'removeFromQueue':
        return { type, zoneId, index: int(r.index, 0, MAX_QUEUE_ENTRIES - 1, 'index') };
      case 'setVolume':
        return { type, zoneId, volume: num(r.volume, 0, 1, 'volume') };
      default:
        throw new Invalid('unknown command type');
    }
  });
}

/** Decode a speaker's mix settings (volume 0..1, muted boolean). */
export function decodeSpeakerMix(v: unknown): Decoded<SpeakerMix> {
  return decode(() => {
    const r = record(v, 'speaker mix');
    need(typeof r.muted === 'boolean', 'muted must be a boolean');
    return { volume: num(r.volume, 0, 1, 'volume'), muted: r.muted };
  });
}

/**
 * The zone a follower keeps: `incoming` only if its revision is newer than `local`'s, so
 * reordered or duplicated replication never rolls a zone back. Both must have the same zoneId.
 */
export function mergeZone(local: ZoneState | undefined, incoming: ZoneState): ZoneState {
  return local === undefined || incoming.revision > local.revision ? incoming : local;
}

/**
 * Merge a decoded room state zone by zone with {@link mergeZone}. Zones missing from `incoming`
 * are kept. Returns `local` itself when nothing is newer.
 */
export function mergePlayState(local: RoomPlayState, incoming: RoomPlayState): RoomPlayState {
  const newer = Object.values(incoming.zones).filter((z) => {
    const mine = getZone(local, z.zoneId);
    return mergeZone(mine, z) !== mine;
  });
  if (newer.length === 0) return local;
  return { ...local, zones: { ...local.zones, ...Object.fromEntries(newer.map((z) => [z.zoneId, z])) } };
}
