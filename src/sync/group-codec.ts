/**
 * Validation of untrusted group state and group commands (from peers and from storage), and the
 * merge rule between two copies. Decoders never throw and rebuild values from known fields only.
 */
import type { GroupCommand } from './group-commands.js';
import {
  GROUP_ID_PATTERN,
  MAX_GROUPS,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_NAME_CHARS,
  MAX_SPEAKERS,
  nameKey,
  type RoomGroups,
  type SpeakerEntry,
  type SpeakerGroup,
  type StereoPair,
} from './group-state.js';
import { Invalid, decode, int, list, matching, need, num, record, text, type Decoded } from './decode-checks.js';
import { SPEAKER_ID_PATTERN } from './peer-ids.js';

const speakerId = (v: unknown, what = 'speakerId'): string => matching(v, SPEAKER_ID_PATTERN, what);
const groupId = (v: unknown): string => matching(v, GROUP_ID_PATTERN, 'groupId');
const name = (v: unknown): string => text(v, 'name', MAX_GROUP_NAME_CHARS);
const revision = (v: unknown): number => int(v, 0, Number.MAX_SAFE_INTEGER, 'revision');

function members(v: unknown, min: number): string[] {
  const ids = list(v, min, MAX_GROUP_MEMBERS, 'memberIds').map((m) => speakerId(m, 'member'));
  need(new Set(ids).size === ids.length, 'members must be distinct');
  return ids;
}

function pair(v: unknown): StereoPair | null {
  if (v === null) return null;
  const r = record(v, 'pair');
  const p = { leftId: speakerId(r.leftId, 'leftId'), rightId: speakerId(r.rightId, 'rightId') };
  need(p.leftId !== p.rightId, 'a pair needs two different speakers');
  return p;
}

function group(v: unknown, key: string): SpeakerGroup {
  const r = record(v, 'group');
  need(typeof r.deleted === 'boolean', 'deleted must be a boolean');
  const g: SpeakerGroup = {
    groupId: groupId(r.groupId),
    name: name(r.name),
    memberIds: members(r.memberIds, 0),
    pair: pair(r.pair),
    deleted: r.deleted,
    revision: revision(r.revision),
    editedAtMs: num(r.editedAtMs, -Number.MAX_VALUE, Number.MAX_VALUE, 'editedAtMs'),
  };
  need(g.groupId === key, 'group key must equal its id');
  if (g.deleted) need(g.memberIds.length === 0 && g.pair === null, 'a deleted group has no members');
  else need(g.memberIds.length > 0 && g.name.trim() !== '', 'a group needs a name and members');
  if (g.pair !== null) need(g.memberIds.length === 2 && g.memberIds.includes(g.pair.leftId) && g.memberIds.includes(g.pair.rightId), 'a pair must be the group\'s two members');
  return g;
}

function speaker(v: unknown): SpeakerEntry {
  const r = record(v, 'speaker');
  need(typeof r.muted === 'boolean', 'muted must be a boolean');
  return { name: name(r.name), volume: num(r.volume, 0, 1, 'volume'), muted: r.muted, revision: revision(r.revision) };
}

/** Entries of a record-like object, refusing more than `max`. */
function entriesOf(v: unknown, max: number, what: string): [string, unknown][] {
  const entries = Object.entries(record(v, what));
  need(entries.length <= max, `too many ${what}`);
  return entries;
}

/** Check every invariant of group-state.ts: one live group per speaker, unique live names. */
function checkRoom(state: RoomGroups): void {
  const seen = new Set<string>();
  const names = new Set<string>();
  for (const g of Object.values(state.groups)) {
    if (g.deleted) continue;
    need(!names.has(nameKey(g.name)), 'group names must be unique');
    names.add(nameKey(g.name));
    for (const m of g.memberIds) {
      need(!seen.has(m), 'a speaker is in at most one group');
      seen.add(m);
    }
  }
}

/** Decode a whole group state. */
export function decodeRoomGroups(v: unknown): Decoded<RoomGroups> {
  return decode(() => {
    const r = record(v, 'groups state');
    need(r.version === 1, 'unsupported groups version');
    const groups = Object.fromEntries(entriesOf(r.groups, MAX_GROUPS, 'groups').map(([k, g]) => [k, group(g, k)]));
    const speakers = Object.fromEntries(entriesOf(r.speakers, MAX_SPEAKERS, 'speakers').map(([k, s]) => [speakerId(k), speaker(s)]));
    const state: RoomGroups = { version: 1, groups, speakers };
    checkRoom(state);
    return state;
  });
}

/** Decode one group command (shape only; the reducer checks it against the state). */
export function decodeGroupCommand(v: unknown): Decoded<GroupCommand> {
  return decode((): GroupCommand => {
    const r = record(v, 'group command');
    switch (r.type) {
      case 'createGroup':
        return { type: r.type, groupId: groupId(r.groupId), name: name(r.name), memberIds: members(r.memberIds, 0) };
      case 'renameGroup':
        return { type: r.type, groupId: groupId(r.groupId), name: name(r.name) };
      case 'setMembers':
        return { type: r.type, groupId: groupId(r.groupId), memberIds: members(r.memberIds, 0) };
      case 'moveSpeaker':
        return { type: r.type, speakerId: speakerId(r.speakerId), groupId: r.groupId === null ? null : groupId(r.groupId) };
      case 'deleteGroup':
        return { type: r.type, groupId: groupId(r.groupId) };
      case 'setPair':
        return { type: r.type, groupId: groupId(r.groupId), pair: pair(r.pair) };
      case 'speakerInfo': {
        need(typeof r.muted === 'boolean', 'muted must be a boolean');
        return { type: r.type, speakerId: speakerId(r.speakerId), name: name(r.name), volume: num(r.volume, 0, 1, 'volume'), muted: r.muted };
      }
      default:
        throw new Invalid('unknown group command type');
    }
  });
}

/** Of two copies of one group, the newer: higher revision, then later edit, then a fixed order. */
function newerGroup(a: SpeakerGroup, b: SpeakerGroup): SpeakerGroup {
  if (a.revision !== b.revision) return a.revision > b.revision ? a : b;
  if (a.editedAtMs !== b.editedAtMs) return a.editedAtMs > b.editedAtMs ? a : b;
  return JSON.stringify(a) >= JSON.stringify(b) ? a : b;
}

/**
 * Merge two valid copies, entry by entry (the newer copy of each group and speaker wins). When
 * concurrent edits leave a speaker in two live groups or two live groups with one name, the
 * later-edited group keeps the speaker (or the name) and the other loses it (a group left
 * empty becomes a tombstone). Returns `local` itself when `incoming` adds nothing.
 */
export function mergeGroups(local: RoomGroups, incoming: RoomGroups): RoomGroups {
  const groups: Record<string, SpeakerGroup> = { ...local.groups };
  let changed = false;
  for (const g of Object.values(incoming.groups)) {
    const mine = Object.hasOwn(groups, g.groupId) ? groups[g.groupId] : undefined;
    const winner = mine === undefined ? g : newerGroup(mine, g);
    if (winner !== mine) {
      groups[g.groupId] = winner;
      changed = true;
    }
  }
  const speakers: Record<string, SpeakerEntry> = { ...local.speakers };
  for (const [id, s] of Object.entries(incoming.speakers)) {
    const mine = Object.hasOwn(speakers, id) ? speakers[id] : undefined;
    if (mine === undefined || s.revision > mine.revision) {
      speakers[id] = s;
      changed = true;
    }
  }
  if (!changed) return local;
  return { version: 1, groups: resolveConflicts(groups), speakers: capSpeakers(speakers) };
}

/**
 * Later-edited live groups keep contested members and names: an older group loses members that a
 * newer one has (a tombstone if none are left) and takes a free variant of a name a newer one
 * holds ("Downstairs 2").
 */
function resolveConflicts(groups: Record<string, SpeakerGroup>): Record<string, SpeakerGroup> {
  const byRecency = Object.values(groups).filter((g) => !g.deleted).sort((a, b) => b.editedAtMs - a.editedAtMs || (a.groupId < b.groupId ? -1 : 1));
  const taken = new Set<string>();
  const names = new Set<string>();
  const out = { ...groups };
  for (const g of byRecency) {
    const kept = g.memberIds.filter((m) => !taken.has(m));
    if (kept.length === 0) {
      out[g.groupId] = { ...g, memberIds: [], pair: null, deleted: true };
      continue;
    }
    let groupName = g.name;
    for (let n = 2; names.has(nameKey(groupName)); n++) groupName = `${g.name.slice(0, MAX_GROUP_NAME_CHARS - 4)} ${n}`;
    for (const m of kept) taken.add(m);
    names.add(nameKey(groupName));
    if (kept.length !== g.memberIds.length || groupName !== g.name) {
      out[g.groupId] = { ...g, name: groupName, memberIds: kept, pair: kept.length === 2 ? g.pair : null };
    }
  }
  return out;
}

/** At most MAX_SPEAKERS entries (the lowest revisions go first: least recently heard of). */
function capSpeakers(speakers: Record<string, SpeakerEntry>): Record<string, SpeakerEntry> {
  const entries = Object.entries(speakers);
  if (entries.length <= MAX_SPEAKERS) return speakers;
  return Object.fromEntries(entries.sort((a, b) => b[1].revision - a[1].revision).slice(0, MAX_SPEAKERS));
}
