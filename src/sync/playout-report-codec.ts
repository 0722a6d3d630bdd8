/**
 * Validation of a {@link PlayoutReport} received from a peer (untrusted). Never throws; the
 * result is rebuilt from known fields only.
 */
import { PlayoutPhase, type PlayoutReport } from './playout-report.js';
import { SHA256_HEX_PATTERN } from './track-manifest.js';
import { ZONE_ID_PATTERN } from './play-state.js';
import type { Decoded } from './play-state-codec.js';

/** Longest report message text, characters. */
export const MAX_REPORT_MESSAGE_CHARS = 200;
/** Largest magnitude accepted for any report number (ms, s or ppm): one day in ms. */
const MAX_ABS = 86_400_000;

const PHASES = new Set<string>(Object.values(PlayoutPhase));

const finiteOrNull = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_ABS);
const countOk = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Check a peer's report; returns a clean copy or why it was refused. */
export function decodePlayoutReport(input: unknown): Decoded<PlayoutReport> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, reason: 'report must be an object' };
  const r = input as Record<string, unknown>;
  if (typeof r.phase !== 'string' || !PHASES.has(r.phase)) return { ok: false, reason: 'report.phase is unknown' };
  if (r.zoneId !== null && !(typeof r.zoneId === 'string' && ZONE_ID_PATTERN.test(r.zoneId))) return { ok: false, reason: 'report.zoneId must be a zone id or null' };
  if (r.trackId !== null && !(typeof r.trackId === 'string' && SHA256_HEX_PATTERN.test(r.trackId))) return { ok: false, reason: 'report.trackId must be a track id or null' };
  for (const key of ['positionSec', 'errorMs', 'uncertaintyMs', 'outputLatencyMs'] as const) {
    if (!finiteOrNull(r[key])) return { ok: false, reason: `report.${key} must be a finite number or null` };
  }
  for (const key of ['trimMs', 'ratePpm'] as const) {
    if (!finiteOrNull(r[key]) || r[key] === null) return { ok: false, reason: `report.${key} must be a finite number` };
  }
  if (!countOk(r.rateChanges) || !countOk(r.reschedules)) return { ok: false, reason: 'report counters must be non-negative integers' };
  if (r.message !== null && !(typeof r.message === 'string' && r.message.length <= MAX_REPORT_MESSAGE_CHARS)) {
    return { ok: false, reason: `report.message must be null or at most ${MAX_REPORT_MESSAGE_CHARS} characters` };
  }
  return {
    ok: true,
    value: {
      phase: r.phase as PlayoutPhase,
      zoneId: r.zoneId as string | null,
      trackId: r.trackId as string | null,
      positionSec: r.positionSec as number | null,
      errorMs: r.errorMs as number | null,
      uncertaintyMs: r.uncertaintyMs as number | null,
      outputLatencyMs: r.outputLatencyMs as number | null,
      trimMs: r.trimMs as number,
      ratePpm: r.ratePpm as number,
      rateChanges: r.rateChanges as number,
      reschedules: r.reschedules as number,
      message: r.message as string | null,
    },
  };
}
