/**
 * Wire messages of acoustic calibration (see protocol.ts for the envelope; calibration-plan.ts
 * for the run). The listener (any member with a microphone) drives; each speaker answers.
 * - `calibrate-probe`: play probe `seed` so that it is heard at shared time `atSharedMs`, at `gain`.
 * - `calibrate-probe-ack`: the speaker will (ok) or cannot play it, with its trim and correction.
 * - `calibrate-apply`: set this absolute calibration correction (persisted for the output route).
 * - `calibrate-applied`: done (or why not), with the correction now in force.
 */
import type { FieldSpec } from './protocol-fields.js';
import { MAX_PROBE_SEED } from './calibration-probe.js';
import { MAX_CORRECTION_MS } from './calibration-plan.js';

/** Loudest probe gain a speaker accepts (peak amplitude, 0…1): the probe stays modest. */
export const MAX_PROBE_GAIN = 0.5;
/** Longest error text, characters. */
export const MAX_CALIBRATION_ERROR_CHARS = 200;
/** Largest |trim| or |correction| reported, ms (beyond: refused). */
const MAX_REPORTED_MS = 10_000;

export interface CalibrateProbeMessage {
  type: 'calibrate-probe';
  runId: number;
  seed: number;
  atSharedMs: number;
  gain: number;
}
export interface CalibrateProbeAckMessage {
  type: 'calibrate-probe-ack';
  runId: number;
  seed: number;
  /** Why it cannot play; null when scheduled. */
  error: string | null;
  trimMs: number;
  correctionMs: number;
}
export interface CalibrateApplyMessage {
  type: 'calibrate-apply';
  runId: number;
  correctionMs: number;
}
export interface CalibrateAppliedMessage {
  type: 'calibrate-applied';
  runId: number;
  correctionMs: number;
  error: string | null;
}

export type CalibrationMessage = CalibrateProbeMessage | CalibrateProbeAckMessage | CalibrateApplyMessage | CalibrateAppliedMessage;

const ok = (value: unknown) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });

const runId: FieldSpec = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? ok(v) : bad('must be a non-negative integer'));
const seed: FieldSpec = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_PROBE_SEED ? ok(v) : bad(`must be an integer 0…${MAX_PROBE_SEED}`));
const finite: FieldSpec = (v) => (typeof v === 'number' && Number.isFinite(v) ? ok(v) : bad('must be a finite number'));
const gain: FieldSpec = (v) => (typeof v === 'number' && v > 0 && v <= MAX_PROBE_GAIN ? ok(v) : bad(`must be a number in (0, ${MAX_PROBE_GAIN}]`));
const bounded = (limit: number): FieldSpec => (v) => (typeof v === 'number' && Math.abs(v) <= limit ? ok(v) : bad(`must be a number within ±${limit}`));
const errorText: FieldSpec = (v) =>
  v === null || (typeof v === 'string' && v.length <= MAX_CALIBRATION_ERROR_CHARS)
    ? ok(v)
    : bad(`must be null or a string of at most ${MAX_CALIBRATION_ERROR_CHARS} characters`);

/** Field checks of each calibration message type. */
export const calibrationSchemas: { readonly [K in CalibrationMessage['type']]: Readonly<Record<string, FieldSpec>> } = {
  'calibrate-probe': { runId, seed, atSharedMs: finite, gain },
  'calibrate-probe-ack': { runId, seed, error: errorText, trimMs: bounded(MAX_REPORTED_MS), correctionMs: bounded(MAX_REPORTED_MS) },
  'calibrate-apply': { runId, correctionMs: bounded(MAX_CORRECTION_MS) },
  'calibrate-applied': { runId, correctionMs: bounded(MAX_REPORTED_MS), error: errorText },
};
