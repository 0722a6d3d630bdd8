/**
 * How a late joiner played after it opened the URL, span by span: its offset from the others
 * (rendered truth, positive = late). bench:sync's late-join figure dates only the first 3 windows
 * within 1 ms; in its 45 s runs of session 39 the joiner then stood 0.7–1.9 ms late for 10–25 s,
 * which that figure cannot show.
 */
import type { Milliseconds } from '../src/sync/units.js';
import type { HostSample } from './playout-trace.js';
import { absStats, type AbsStats } from './stats.js';

/** One span after opening the URL, s, and its offsets' statistics (NaN without windows). */
export interface JoinPhase {
  readonly fromSec: number;
  readonly toSec: number;
  readonly stats: AbsStats;
}

/** Spans after opening the URL, s: the start, the young render line, the next minute. */
export const JOIN_PHASE_EDGES_SEC = [0, 5, 15, 30, 60] as const;

/** The joiner's offsets (`truth`, host ms) in each span between consecutive `edgesSec` after `openHostMs`. */
export function lateJoinPhases(truth: readonly HostSample[], openHostMs: Milliseconds, edgesSec: readonly number[] = JOIN_PHASE_EDGES_SEC): JoinPhase[] {
  return edgesSec.slice(0, -1).map((fromSec, i) => {
    const toSec = edgesSec[i + 1]!;
    const inSpan = truth.filter((s) => s.hostMs - openHostMs >= fromSec * 1000 && s.hostMs - openHostMs < toSec * 1000);
    return { fromSec, toSec, stats: absStats(inSpan.map((s) => s.valueMs)) };
  });
}

/** One line: each span's windows, signed median and p95 / max of |offset|. */
export function formatJoinPhases(phases: readonly JoinPhase[]): string {
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '—');
  const spans = phases.map(({ fromSec, toSec, stats: s }) => `${fromSec}–${toSec} s: ${s.samples} windows, median ${f(s.medianSignedMs)}, p95 ${f(s.p95Ms)}, max ${f(s.maxMs)}`);
  return `The late joiner after opening the URL (offset from the others, ms, + = late): ${spans.join('; ')}`;
}
