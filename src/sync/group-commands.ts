/**
 * The leader's reducer over the room's groups. Pure: shared time comes in as an argument.
 *
 * Invariants of every result: the input is never modified; a refused command returns the input
 * itself with an `error` (words for the user); each changed group or speaker entry gets its
 * revision raised by exactly one (a new group: 1), with `editedAtMs` = now; untouched entries
 * stay the same objects; a group left with no members becomes a tombstone.
 */
import { decodeGroupCommand } from './group-codec.js';
import {
  GROUP_ID_PATTERN,
  MAX_GROUPS,
  MAX_SPEAKERS,
  cleanGroupName,
  getGroup,
  getSpeaker,
  nameKey,
  type RoomGroups,
  type SpeakerEntry,
  type SpeakerGroup,
  type StereoPair,
} from './group-state.js';
import type { Milliseconds } from './units.js';

/** Changes anyone in the room may ask the leader for. Ids are speaker ids and group ids. */
export type GroupCommand =
  | { readonly type: 'createGroup'; readonly groupId: string; readonly name: string; readonly memberIds: readonly string[] }
  | { readonly type: 'renameGroup'; readonly groupId: string; readonly name: string }
  | { readonly type: 'setMembers'; readonly groupId: string; readonly memberIds: readonly string[] }
  | { readonly type: 'moveSpeaker'; readonly speakerId: string; readonly groupId: string | null }
  | { readonly type: 'deleteGroup'; readonly groupId: string }
  | { readonly type: 'setPair'; readonly groupId: string; readonly pair: StereoPair | null }
  | { readonly type: 'speakerInfo'; readonly speakerId: string; readonly name: string; readonly volume: number; readonly muted: boolean };

export type GroupCommandType = GroupCommand['type'];

/** The new state, or the input and why the command was refused. */
export interface GroupCommandResult {
  readonly state: RoomGroups;
  readonly error?: string;
}

/** Live groups with edits applied so far; turned into a state at the end. */
class Draft {
  private readonly changed = new Map<string, SpeakerGroup>();

  constructor(readonly state: RoomGroups, readonly nowMs: Milliseconds) {}

  group(groupId: string): SpeakerGroup | undefined {
    return this.changed.get(groupId) ?? getGroup(this.state, groupId);
  }

  live(): SpeakerGroup[] {
    const ids = new Set([...Object.keys(this.state.groups), ...this.changed.keys()]);
    return [...ids].map((id) => this.group(id)!).filter((g) => !g.deleted);
  }

  /** Record `next` as the new version of its group (revision +1 over the stored one). */
  put(next: Omit<SpeakerGroup, 'revision' | 'editedAtMs'>): void {
    const stored = getGroup(this.state, next.groupId);
    const members = next.memberIds;
    const pair = next.pair !== null && members.length === 2 && members.includes(next.pair.leftId) && members.includes(next.pair.rightId) ? next.pair : null;
    const deleted = next.deleted || members.length === 0;
    this.changed.set(next.groupId, {
      ...next,
      memberIds: deleted ? [] : members,
      pair: deleted ? null : pair,
      deleted,
      revision: (stored?.revision ?? 0) + 1,
      editedAtMs: this.nowMs,
    });
  }

  /** Take speakers out of every live group other than `exceptId`. */
  release(speakerIds: readonly string[], exceptId: string | null): void {
    const leaving = new Set(speakerIds);
    for (const group of this.live()) {
      if (group.groupId === exceptId || !group.memberIds.some((m) => leaving.has(m))) continue;
      this.put({ ...group, memberIds: group.memberIds.filter((m) => !leaving.has(m)) });
    }
  }

  nameTaken(name: string, exceptId: string): boolean {
    return this.live().some((g) => g.groupId !== exceptId && nameKey(g.name) === nameKey(name));
  }

  result(): RoomGroups {
    if (this.changed.size === 0) return this.state;
    const groups = new Map(Object.entries({ ...this.state.groups, ...Object.fromEntries(this.changed) }));
    const tombstones = [...groups.values()].filter((g) => g.deleted).sort((a, b) => a.editedAtMs - b.editedAtMs);
    for (let excess = groups.size - MAX_GROUPS; excess > 0 && tombstones.length > 0; excess--) groups.delete(tombstones.shift()!.groupId);
    return { ...this.state, groups: Object.fromEntries(groups) };
  }
}

function createGroup(draft: Draft, cmd: GroupCommand & { type: 'createGroup' }): string | null {
  const name = cleanGroupName(cmd.name);
  if (!GROUP_ID_PATTERN.test(cmd.groupId)) return 'invalid group id';
  if (draft.group(cmd.groupId) !== undefined) return 'that group id is taken';
  if (name === '') return 'a group needs a name';
  if (draft.nameTaken(name, cmd.groupId)) return `there is already a group called ${name}`;
  if (cmd.memberIds.length < 2) return 'a group needs at least two speakers';
  if (draft.live().length >= MAX_GROUPS) return 'too many groups';
  draft.release(cmd.memberIds, null);
  draft.put({ groupId: cmd.groupId, name, memberIds: cmd.memberIds, pair: null, deleted: false });
  return null;
}

function editGroup(draft: Draft, cmd: GroupCommand & { type: 'renameGroup' | 'setMembers' | 'deleteGroup' | 'setPair' }): string | null {
  const group = draft.group(cmd.groupId);
  if (group === undefined || group.deleted) return 'no such group';
  switch (cmd.type) {
    case 'renameGroup': {
      const name = cleanGroupName(cmd.name);
      if (name === '') return 'a group needs a name';
      if (draft.nameTaken(name, group.groupId)) return `there is already a group called ${name}`;
      if (name !== group.name) draft.put({ ...group, name });
      return null;
    }
    case 'setMembers':
      if (cmd.memberIds.length === 0) return 'a group needs at least one speaker (delete it instead)';
      if (sameMembers(group.memberIds, cmd.memberIds)) return null;
      draft.release(cmd.memberIds, group.groupId);
      draft.put({ ...group, memberIds: cmd.memberIds });
      return null;
    case 'deleteGroup':
      draft.put({ ...group, memberIds: [], deleted: true });
      return null;
    case 'setPair': {
      const pair = cmd.pair;
      if (pair !== null && (group.memberIds.length !== 2 || !group.memberIds.includes(pair.leftId) || !group.memberIds.includes(pair.rightId))) {
        return 'a stereo pair is a group of exactly two speakers, one left and one right';
      }
      if (pair?.leftId !== group.pair?.leftId || pair?.rightId !== group.pair?.rightId) draft.put({ ...group, pair });
      return null;
    }
  }
}

function moveSpeaker(draft: Draft, speakerId: string, groupId: string | null): string | null {
  if (groupId === null) {
    draft.release([speakerId], null);
    return null;
  }
  const group = draft.group(groupId);
  if (group === undefined || group.deleted) return 'no such group';
  if (group.memberIds.includes(speakerId)) return null;
  draft.release([speakerId], groupId);
  draft.put({ ...group, memberIds: [...group.memberIds, speakerId] });
  return null;
}

function speakerInfo(state: RoomGroups, cmd: GroupCommand & { type: 'speakerInfo' }): RoomGroups | string {
  const stored = getSpeaker(state, cmd.speakerId);
  const name = cleanGroupName(cmd.name);
  if (stored === undefined && Object.keys(state.speakers).length >= MAX_SPEAKERS) return 'too many speakers';
  if (stored !== undefined && stored.name === name && stored.volume === cmd.volume && stored.muted === cmd.muted) return state;
  const entry: SpeakerEntry = { name, volume: cmd.volume, muted: cmd.muted, revision: (stored?.revision ?? 0) + 1 };
  return { ...state, speakers: { ...state.speakers, [cmd.speakerId]: entry } };
}

const sameMembers = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((m, i) => m === b[i]);

/**
 * Apply one command at shared time `nowSharedMs`. The command is decoded again first (a bad
 * shape never corrupts the state).
 */
export function applyGroupCommand(state: RoomGroups, command: GroupCommand, nowSharedMs: Milliseconds): GroupCommandResult {
  const decoded = decodeGroupCommand(command);
  if (!decoded.ok) return { state, error: decoded.reason };
  const cmd = decoded.value;
  if (cmd.type === 'speakerInfo') {
    const next = speakerInfo(state, cmd);
    return typeof next === 'string' ? { state, error: next } : { state: next };
  }
  const draft = new Draft(state, nowSharedMs);
  const error = cmd.type === 'createGroup' ? createGroup(draft, cmd)
    : cmd.type === 'moveSpeaker' ? moveSpeaker(draft, cmd.speakerId, cmd.groupId)
    : editGroup(draft, cmd);
  return error === null ? { state: draft.result() } : { state, error };
}
