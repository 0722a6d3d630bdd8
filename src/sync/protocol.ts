/**
 * The wire protocol between tabs of a room: typed, versioned messages and their codec.
 *
 * Every control message is a JSON object `{ v: PROTOCOL_VERSION, type, ...fields }` sent as a
 * string over a PeerJS data channel (raw serialization, so parsing happens here and only here).
 * A peer is untrusted input: `decodeMessage` never throws; it returns either a message that has
 * passed every check of its type or a reason for dropping it.
 */
import { fieldCheckers, type FieldSpec } from './protocol-fields.js';
import type { MemberRole } from './member-role.js';
import { MAX_MESSAGE_CHARS } from './protocol-limits.js';
import { exchangeSchemas, type ExchangeMessage } from './exchange-messages.js';
import { catalogSchemas, type CatalogMessage } from './catalog-messages.js';
import { groupSchemas, type GroupMessage } from './group-messages.js';
import { playbackSchemas, type PlaybackMessage } from './playback-messages.js';
import { calibrationSchemas, type CalibrationMessage } from './calibration-messages.js';

export { MAX_LIST_LENGTH, MAX_MESSAGE_CHARS, MAX_NAME_CHARS } from './protocol-limits.js';

/** Bumped on any incompatible change to a message shape. */
export const PROTOCOL_VERSION = 1;

export { MemberRole } from './member-role.js';

/** A member's clock state as it reports it (ms). */
export interface ClockReport {
  offsetMs: number;
  uncertaintyMs: number;
  rttMs: number | null;
  converged: boolean;
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  term: number;
  leaderId: string | null;
  succession: string[];
}
export interface StatusMessage {
  type: 'status';
  name: string;
  role: MemberRole;
  clock: ClockReport | null;
}
export interface ByeMessage {
  type: 'bye';
}
export interface PingMessage {
  type: 'ping';
  seq: number;
  sentMs: number;
}
export interface PongMessage {
  type: 'pong';
  seq: number;
  sentMs: number;
}
export interface ClockPingMessage {
  type: 'clock-ping';
  seq: number;
  t0: number;
}
export interface ClockPongMessage {
  type: 'clock-pong';
  seq: number;
  t0: number;
  t1: number;
  t2: number;
}

/** Every message a tab may send to another. */
export type RoomMessage =
  | HeartbeatMessage
  | StatusMessage
  | ByeMessage
  | PingMessage
  | PongMessage
  | ClockPingMessage
  | ClockPongMessage
  | PlaybackMessage
  | ExchangeMessage
  | GroupMessage
  | CatalogMessage
  | CalibrationMessage;

export type RoomMessageType = RoomMessage['type'];

const { finite, nonNegInt, nullablePeerId, peerIdList, name, role, clockReport } = fieldCheckers;

/** The fields each message type must carry, and how each is checked. */
const schemas: { readonly [K in RoomMessageType]: Readonly<Record<string, FieldSpec>> } = {
  heartbeat: { term: nonNegInt, leaderId: nullablePeerId, succession: peerIdList },
  status: { name, role, clock: clockReport },
  bye: {},
  ping: { seq: nonNegInt, sentMs: finite },
  pong: { seq: nonNegInt, sentMs: finite },
  'clock-ping': { seq: nonNegInt, t0: finite },
  'clock-pong': { seq: nonNegInt, t0: finite, t1: finite, t2: finite },
  ...playbackSchemas,
  ...exchangeSchemas,
  ...groupSchemas,
  ...catalogSchemas,
  ...calibrationSchemas,
};

/** The result of decoding: a valid message, or why the input was dropped. */
export type DecodeResult = { ok: true; message: RoomMessage } | { ok: false; reason: string };

/** Encode a message for the wire. */
export function encodeMessage(message: RoomMessage): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...message });
}

/**
 * Decode and validate untrusted input from a peer. Never throws. Unknown extra fields are
 * dropped from the result so that nothing unchecked reaches the app.
 */
export function decodeMessage(data: unknown): DecodeResult {
  if (typeof data !== 'string') return fail(`expected a JSON string, got ${describe(data)}`);
  if (data.length > MAX_MESSAGE_CHARS) return fail(`message of ${data.length} chars exceeds ${MAX_MESSAGE_CHARS}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return fail('not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('not a JSON object');
  const record = parsed as Record<string, unknown>;
  if (record.v !== PROTOCOL_VERSION) return fail(`unsupported protocol version ${describe(record.v)}`);
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(schemas, type)) return fail(`unknown message type ${describe(type)}`);
  const schema = schemas[type as RoomMessageType];
  const message: Record<string, unknown> = { type };
  for (const [field, check] of Object.entries(schema)) {
    const checked = check(record[field]);
    if (!checked.ok) return fail(`${type}.${field} ${checked.problem}`);
    message[field] = checked.value;
  }
  return { ok: true, message: message as unknown as RoomMessage };
}

function fail(reason: string): DecodeResult {
  return { ok: false, reason };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value).slice(0, 40)}`;
}
