/**
 * Wire messages of synchronized playback (see protocol.ts for the envelope):
 * - `play-state`: the leader's whole room play state, sent on every change and every second.
 * - `command`: a play command for the leader (from any member); `command-result` answers it.
 * - `playout`: a speaker's own playout report, for every member's sync dashboard.
 */
import { fieldCheckers, fromDecoded, type FieldSpec } from './protocol-fields.js';
import { decodeCommand, decodePlayState } from './play-state-codec.js';
import type { PlayCommand, RoomPlayState } from './play-state.js';
import { decodePlayoutReport } from './playout-report-codec.js';
import type { PlayoutReport } from './playout-report.js';

export { MAX_COMMAND_ERROR_CHARS } from './protocol-fields.js';

export interface PlayStateMessage {
  type: 'play-state';
  /** The leader's election term when it sent this (followers ignore older terms' states). */
  term: number;
  state: RoomPlayState;
}
export interface CommandMessage {
  type: 'command';
  /** Sender-chosen id echoed in the result. */
  id: number;
  command: PlayCommand;
}
export interface CommandResultMessage {
  type: 'command-result';
  id: number;
  /** Why the leader refused the command; null when applied. */
  error: string | null;
}
export interface PlayoutMessage {
  type: 'playout';
  report: PlayoutReport;
}

export type PlaybackMessage = PlayStateMessage | CommandMessage | CommandResultMessage | PlayoutMessage;

const { nonNegInt, errorText } = fieldCheckers;

/** Field checks of each playback message type. */
export const playbackSchemas: { readonly [K in PlaybackMessage['type']]: Readonly<Record<string, FieldSpec>> } = {
  'play-state': { term: nonNegInt, state: fromDecoded(decodePlayState) },
  command: { id: nonNegInt, command: fromDecoded(decodeCommand) },
  'command-result': { id: nonNegInt, error: errorText },
  playout: { report: fromDecoded(decodePlayoutReport) },
};
