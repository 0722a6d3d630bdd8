/**
 * The room's speaker groups ("Downstairs" = Kitchen + Den) and its speaker registry (names and
 * mixes, so a group still shows a speaker whose tab is closed). The leader owns this state and
 * changes it only through `applyGroupCommand` (group-commands.ts); every tab keeps and persists a
 * copy, and copies meet through `mergeGroups` (group-codec.ts). Values are immutable.
 *
 * Invariants (checked by the codec, kept by the reducer):
 * - a speaker is a member of at most one live (not deleted) group;
 * - a live group has 1..MAX_GROUP_MEMBERS distinct members and a non-empty name, unique among
 *   live groups ignoring case;
 * - `pair`, when set, names two distinct members of the group (left, right): a stereo pair;
 * - revisions only grow: each change to a group or a speaker entry sets its revision above every
 *   revision that entry had, so of two copies of one entry the higher revision is the newer.
 */
import type { Milliseconds } from './units.js';
import { compareText } from './text-order.js';

/** Most groups (deleted ones included, as tombstones, until pruned). */
export const MAX_GROUPS = 32;
/** Most speakers in a group and in the registry. */
export const MAX_GROUP_MEMBERS = 32;
export const MAX_SPEAKERS = 64;
/** Longest group or speaker name, characters. */
export const MAX_GROUP_NAME_CHARS = 40;
/** Group ids: `g` and 8 lowercase letters or digits (they double as zone ids). */
export const GROUP_ID_PATTERN = /^g[a-z0-9]{8}$/;

/** Which channel a member of a stereo pair plays. */
export const StereoChannel = { left: 'left', right: 'right', both: 'both' } as const;
export type StereoChannel = (typeof StereoChannel)[keyof typeof StereoChannel];

/** A stereo pair: two members of a group playing its left and right channels. */
export interface StereoPair {
  readonly leftId: string;
  readonly rightId: string;
}

/** One group. `editedAtMs` (shared time of the last change) breaks ties between equal revisions. */
export interface SpeakerGroup {
  readonly groupId: string;
  readonly name: string;
  readonly memberIds: readonly string[];
  readonly pair: StereoPair | null;
  /** A tombstone: deleted groups stay (without members) so a stale copy cannot revive them. */
  readonly deleted: boolean;
  readonly revision: number;
  readonly editedAtMs: Milliseconds;
}

/** What the room knows of a speaker; the speaker itself is the authority for its entry. */
export interface SpeakerEntry {
  readonly name: string;
  /** 0..1 */
  readonly volume: number;
  readonly muted: boolean;
  readonly revision: number;
}

/** The whole state. Keys of `groups` equal their group's id; keys of `speakers` are speaker ids. */
export interface RoomGroups {
  readonly version: 1;
  readonly groups: Readonly<Record<string, SpeakerGroup>>;
  readonly speakers: Readonly<Record<string, SpeakerEntry>>;
}

/** A room with no groups and no known speakers. */
export function emptyRoomGroups(): RoomGroups {
  return { version: 1, groups: {}, speakers: {} };
}

/** Live (not deleted) groups, by name. */
export function liveGroups(state: RoomGroups): SpeakerGroup[] {
  return Object.values(state.groups)
    .filter((g) => !g.deleted)
    .sort((a, b) => compareText(a.name, b.name));
}

/** The live group a speaker belongs to, or undefined. */
export function groupOfSpeaker(state: RoomGroups, speakerId: string): SpeakerGroup | undefined {
  return Object.values(state.groups).find((g) => !g.deleted && g.memberIds.includes(speakerId));
}

/** The group with this id (tombstones included), or undefined (safe for ids like "constructor"). */
export function getGroup(state: RoomGroups, groupId: string): SpeakerGroup | undefined {
  return Object.hasOwn(state.groups, groupId) ? state.groups[groupId] : undefined;
}

/** The registry entry of a speaker, or undefined. */
export function getSpeaker(state: RoomGroups, speakerId: string): SpeakerEntry | undefined {
  return Object.hasOwn(state.speakers, speakerId) ? state.speakers[speakerId] : undefined;
}

/** Which channel `speakerId` plays: its side of its group's stereo pair, else both. */
export function channelOf(state: RoomGroups, speakerId: string): StereoChannel {
  const pair = groupOfSpeaker(state, speakerId)?.pair;
  if (pair?.leftId === speakerId) return StereoChannel.left;
  if (pair?.rightId === speakerId) return StereoChannel.right;
  return StereoChannel.both;
}

/** A name cleaned for storage: control characters and runs of spaces to one space, trimmed, capped. */
export function cleanGroupName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim().slice(0, MAX_GROUP_NAME_CHARS);
}

/** Case- and space-insensitive name comparison key. */
export function nameKey(name: string): string {
  return cleanGroupName(name).toLocaleLowerCase();
}
