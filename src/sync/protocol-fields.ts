/**
 * Field checkers for the wire protocol. Each takes an untrusted value and returns either the
 * clean value to keep (objects are rebuilt with only their known fields) or a short phrase
 * saying what is wrong ("must be a finite number").
 */
import { MAX_LIST_LENGTH, MAX_NAME_CHARS } from './protocol-limits.js';

/** The outcome of checking one field. */
export type Checked = { ok: true; value: unknown } | { ok: false; problem: string };

/** Checks one field of an untrusted message. */
export type FieldSpec = (value: unknown) => Checked;

/** Peer ids as Tutti makes them (`tutti-<room>-<speaker>`): letters, digits, `-`, `_`. */
const PEER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

const ok = (value: unknown): Checked => ({ ok: true, value });
const bad = (problem: string): Checked => ({ ok: false, problem });

const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPeerId = (v: unknown): v is string => typeof v === 'string' && PEER_ID_PATTERN.test(v);

const finite: FieldSpec = (v) => (isFinite(v) ? ok(v) : bad('must be a finite number'));

const nonNegInt: FieldSpec = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? ok(v) : bad('must be a non-negative integer');

const peerId: FieldSpec = (v) => (isPeerId(v) ? ok(v) : bad('must be a peer id'));

const nullablePeerId: FieldSpec = (v) => (v === null ? ok(null) : peerId(v));

const peerIdList: FieldSpec = (v) => {
  if (!Array.isArray(v)) return bad('must be an array of peer ids');
  if (v.length > MAX_LIST_LENGTH) return bad(`must have at most ${MAX_LIST_LENGTH} entries`);
  return v.every(isPeerId) ? ok([...v]) : bad('must contain only peer ids');
};

const name: FieldSpec = (v) =>
  typeof v === 'string' && v.trim().length > 0 && v.length <= MAX_NAME_CHARS
    ? ok(v.trim())
    : bad(`must be a non-empty string of at most ${MAX_NAME_CHARS} characters`);

const role: FieldSpec = (v) => (v === 'speaker' || v === 'remote' ? ok(v) : bad('must be "speaker" or "remote"'));

const clockReport: FieldSpec = (v) => {
  if (v === null) return ok(null);
  if (typeof v !== 'object' || Array.isArray(v)) return bad('must be a clock report or null');
  const r = v as Record<string, unknown>;
  if (!isFinite(r.offsetMs) || !isFinite(r.uncertaintyMs)) return bad('must have finite offsetMs and uncertaintyMs');
  if (r.rttMs !== null && !isFinite(r.rttMs)) return bad('must have a finite or null rttMs');
  if (typeof r.converged !== 'boolean') return bad('must have a boolean converged');
  return ok({ offsetMs: r.offsetMs, uncertaintyMs: r.uncertaintyMs, rttMs: r.rttMs, converged: r.converged });
};

/** Longest error text in a command result, characters. */
export const MAX_COMMAND_ERROR_CHARS = 200;

const errorText: FieldSpec = (v) =>
  v === null || (typeof v === 'string' && v.length <= MAX_COMMAND_ERROR_CHARS)
    ? ok(v)
    : bad(`must be null or a string of at most ${MAX_COMMAND_ERROR_CHARS} characters`);

const unitInterval: FieldSpec = (v) => (isFinite(v) && v >= 0 && v <= 1 ? ok(v) : bad('must be a number in [0, 1]'));

const boolean: FieldSpec = (v) => (typeof v === 'boolean' ? ok(v) : bad('must be a boolean'));

/** The checkers, by name. */
export const fieldCheckers = { finite, nonNegInt, peerId, nullablePeerId, peerIdList, name, role, clockReport, errorText, unitInterval, boolean } as const;

/** A field checker from a decoder of the `{ ok, value } | { ok, reason }` kind. */
export function fromDecoded(decoder: (v: unknown) => { ok: true; value: unknown } | { ok: false; reason: string }): FieldSpec {
  return (v) => {
    const d = decoder(v);
    return d.ok ? ok(d.value) : bad(`is invalid: ${d.reason}`);
  };
}
