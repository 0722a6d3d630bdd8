/**
 * Wire messages of groups (see protocol.ts for the envelope):
 * - `groups-state`: the leader's whole group state (on change and every few seconds); a
 *   follower hands its copy to a new leader the same way.
 * - `group-command` / `group-result`: a change asked of the leader, and its answer.
 * - `speaker-mix`: set the receiving speaker's own volume and mute (the speaker is the authority
 *   for its mix, so controllers ask it directly).
 */
import { fieldCheckers, fromDecoded, type FieldSpec } from './protocol-fields.js';
import { decodeGroupCommand, decodeRoomGroups } from './group-codec.js';
import type { GroupCommand } from './group-commands.js';
import type { RoomGroups } from './group-state.js';

export interface GroupsStateMessage {
  type: 'groups-state';
  term: number;
  state: RoomGroups;
}
export interface GroupCommandMessage {
  type: 'group-command';
  id: number;
  command: GroupCommand;
}
export interface GroupResultMessage {
  type: 'group-result';
  id: number;
  error: string | null;
}
export interface SpeakerMixMessage {
  type: 'speaker-mix';
  /** 0..1 */
  volume: number;
  muted: boolean;
}

export type GroupMessage = GroupsStateMessage | GroupCommandMessage | GroupResultMessage | SpeakerMixMessage;

const { nonNegInt, errorText, unitInterval, boolean } = fieldCheckers;

/** Field checks of each group message type. */
export const groupSchemas: { readonly [K in GroupMessage['type']]: Readonly<Record<string, FieldSpec>> } = {
  'groups-state': { term: nonNegInt, state: fromDecoded(decodeRoomGroups) },
  'group-command': { id: nonNegInt, command: fromDecoded(decodeGroupCommand) },
  'group-result': { id: nonNegInt, error: errorText },
  'speaker-mix': { volume: unitInterval, muted: boolean },
};
