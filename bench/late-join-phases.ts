/**
 * How a late joiner played after its first sound, phase by phase: its offset from the others
 * (rendered truth, positive = late) in spans of seconds after it opened the URL. bench:sync's
 * late-join figure dates only the first 3 windows within 1 ms; in its 45 s runs of session 39 the
 * joiner then stood 0.7–1.9 ms late for 10–25 s, which that figure cannot show.
 */
import { median } from '../src/sync/median.js';
import type { Milliseconds } from '../src/sync/units.js';
import type { HostSample } from './playout-trace.js';
import { percentile } from './stats.js';

/** One span's offsets, ms (NaN without windows). */
export interface JoinPhase {
  readonly fromSec: number;
  readonly toSec: number;
  readonly windows: number;
  readonly medianMs: Milliseconds;
  readonly p95AbsMs: Milliseconds;
  readonly maxAbsMs: Milliseconds;
}

/** Spans after opening the URL, s: the start, the young render line, the next minute. */
export const JOIN_PHASE_EDGES_SEC = [0, 5, 15, 30, 60] as const;

/** The joiner's offsets (`truth`, host ms) in each span between consecutive `edgesSec` after `openHostMs`. */
export function lateJoinPhases(truth: readonly HostSample[], openHostMs: Milliseconds, edgesSec: readonly number[] = JOIN_PHASE_EDGES_SEC): JoinPhase[] {
  return edgesSec.slice(0, -1).map((fromSec, i) => {
    const toSec = edgesSec[i + 1]!;
    const values = truth.filter((s) => s.hostMs - openHostMs >= fromSec * 1000 && s.hostMs - openHostMs < toSec * 1000).map((s) => s.valueMs);
    const abs = values.map(Math.abs).sort((a, b) => a - b);
    return { fromSec, toSec, windows: values.length, medianMs: values.length === 0 ? Number.NaN : median(values), p95AbsMs: percentile(abs, 0.95), maxAbsMs: abs.length === 0 ? Number.NaN : abs[abs.length - 1]! };
  });
}

/** One line: each span's windows, signed median and p95 / max of |offset|. */
export function formatJoinPhases(phases: readonly JoinPhase[]): string {
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '—');
  const spans = phases.map((p) => `${p.fromSec}–${p.toSec} s: ${p.windows} windows, median ${f(p.medianMs)}, p95 ${f(p.p95AbsMs)}, max ${f(p.maxAbsMs)}`);
  return `The late joiner after opening the URL (offset from the others, ms, + = late): ${spans.join('; ')}`;
}
