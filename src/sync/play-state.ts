/**
 * The room's replicated play state: several independent zones (subsets of speakers, each
 * playing its own queue on the shared timeline). The leader owns it and changes it only through
 * `applyCommand` / `advanceIfEnded` (play-commands.ts); followers take it in through the codec
 * (play-state-codec.ts). Values are immutable: every change builds new objects.
 */
import { expectedPositionSec } from './playout-schedule.js';
import type { Milliseconds, Seconds } from './units.js';

/** Most zones in a room. */
export const MAX_ZONES = 16;
/** Most entries in one zone's queue. */
export const MAX_QUEUE_ENTRIES = 500;
/** Most speakers in one zone. */
export const MAX_ZONE_MEMBERS = 64;
/** Longest title or artist, in UTF-16 code units. */
export { MAX_CHECKED_TEXT_CHARS as MAX_TEXT_CHARS } from './decode-checks.js';
/** Longest track accepted, s (one day). */
export const MAX_DURATION_SEC = 86_400;
/** `previous` restarts the current track when more than this far into it, s. */
export const PREVIOUS_RESTART_SEC = 3;

/** Zone ids: 1–32 lowercase letters and digits. */
export const ZONE_ID_PATTERN = /^[a-z0-9]{1,32}$/;
/** Track ids: the SHA-256 of the track's bytes, lowercase hex (see track-manifest.ts). */
export { SHA256_HEX_PATTERN as TRACK_ID_PATTERN } from './track-manifest.js';

/** What a zone is doing. */
export const ZoneStatus = { stopped: 'stopped', playing: 'playing', paused: 'paused' } as const;
export type ZoneStatus = (typeof ZoneStatus)[keyof typeof ZoneStatus];

/** One queued track. Invariant: `0 < durationSec ≤ MAX_DURATION_SEC`, texts ≤ MAX_TEXT_CHARS. */
export interface QueueEntry {
  readonly trackId: string;
  readonly title: string;
  readonly artist: string;
  readonly durationSec: Seconds;
}

/**
 * One zone. Invariants (checked by the codec, kept by the reducer):
 * - `members` are distinct speaker ids; a speaker is in at most one zone of a room.
 * - `-1 ≤ currentIndex < queue.length` (−1 = no current track).
 * - `status !== 'stopped'` ⇒ `currentIndex ≥ 0` and `members` is not empty.
 * - playing: the current track's position `startPositionSec` (0 ≤ it < durationSec) is heard at
 *   shared time `startSharedMs`, and the track plays at rate 1 (see playout-schedule.ts).
 * - paused: `0 ≤ pausedPositionSec < durationSec` of the current track.
 * - stopped: the reducer sets all three time fields to 0; they carry no meaning.
 * - `revision` is a non-negative integer, +1 on every change, so later states have higher ones.
 */
export interface ZoneState {
  readonly zoneId: string;
  readonly members: readonly string[];
  readonly queue: readonly QueueEntry[];
  readonly currentIndex: number;
  readonly status: ZoneStatus;
  readonly startSharedMs: Milliseconds;
  readonly startPositionSec: Seconds;
  readonly pausedPositionSec: Seconds;
  /** Zone volume, 0..1. */
  readonly volume: number;
  readonly revision: number;
}

/** The whole room. Invariant: every key of `zones` equals its zone's `zoneId`; ≤ MAX_ZONES zones. */
export interface RoomPlayState {
  readonly version: 1;
  readonly zones: Readonly<Record<string, ZoneState>>;
}

/** Per-speaker output settings, kept apart from the replicated zone state. `volume` is 0..1. */
export interface SpeakerMix {
  readonly volume: number;
  readonly muted: boolean;
}

/** A speaker's settings until changed. */
export const DEFAULT_SPEAKER_MIX: SpeakerMix = { volume: 1, muted: false };

/**
 * Commands the leader applies (possibly sent by a follower or remote). `index`es are queue
 * positions; `toZoneId: null` takes the speaker out of every zone.
 */
export type PlayCommand =
  | { readonly type: 'play'; readonly zoneId: string; readonly queue?: readonly QueueEntry[]; readonly index?: number }
  | { readonly type: 'pause' | 'resume' | 'next' | 'previous' | 'stop'; readonly zoneId: string }
  | { readonly type: 'seek'; readonly zoneId: string; readonly positionSec: Seconds }
  | { readonly type: 'enqueue'; readonly zoneId: string; readonly entries: readonly QueueEntry[] }
  | { readonly type: 'removeFromQueue'; readonly zoneId: string; readonly index: number }
  | { readonly type: 'setVolume'; readonly zoneId: string; readonly volume: number }
  | { readonly type: 'moveSpeaker'; readonly speakerId: string; readonly toZoneId: string | null };

/** The kinds of command. */
export type PlayCommandType = PlayCommand['type'];

/** A room with no zones. */
export function emptyRoomPlayState(): RoomPlayState {
  return { version: 1, zones: {} };
}

/** A new, empty, stopped zone at revision 0 (its creation is the change that makes it 1). */
export function newZone(zoneId: string): ZoneState {
  return {
    zoneId,
    members: [],
    queue: [],
    currentIndex: -1,
    status: ZoneStatus.stopped,
    startSharedMs: 0,
    startPositionSec: 0,
    pausedPositionSec: 0,
    volume: 1,
    revision: 0,
  };
}

/** The zone with this id, or undefined (safe for ids like "constructor"). */
export function getZone(state: RoomPlayState, zoneId: string): ZoneState | undefined {
  return Object.hasOwn(state.zones, zoneId) ? state.zones[zoneId] : undefined;
}

/** The id of the zone `speakerId` belongs to, or null. */
export function zoneOfSpeaker(state: RoomPlayState, speakerId: string): string | null {
  return Object.values(state.zones).find((z) => z.members.includes(speakerId))?.zoneId ?? null;
}

/** The zone's current queue entry, or undefined when there is none. */
export function currentEntry(zone: ZoneState): QueueEntry | undefined {
  return zone.currentIndex >= 0 ? zone.queue[zone.currentIndex] : undefined;
}

/**
 * Track position (s) heard at `nowSharedMs`: the pause position when paused, the shared-clock
 * position when playing (never before `startPositionSec`, so ≥ 0; may pass the end until the
 * zone is advanced), 0 when stopped.
 */
export function zonePositionSec(zone: ZoneState, nowSharedMs: Milliseconds): Seconds {
  if (zone.status === ZoneStatus.paused) return zone.pausedPositionSec;
  if (zone.status === ZoneStatus.stopped) return 0;
  return Math.max(zone.startPositionSec, expectedPositionSec(nowSharedMs, zone));
}

/** Shared time (ms) at which a playing zone's current track ends; null unless playing. */
export function trackEndSharedMs(zone: ZoneState): Milliseconds | null {
  const entry = currentEntry(zone);
  if (zone.status !== ZoneStatus.playing || !entry) return null;
  return zone.startSharedMs + (entry.durationSec - zone.startPositionSec) * 1000;
}

/** Gain a speaker applies: zone volume × speaker volume, 0 when muted. */
export function speakerGain(zone: ZoneState, mix: SpeakerMix): number {
  return mix.muted ? 0 : zone.volume * mix.volume;
}
