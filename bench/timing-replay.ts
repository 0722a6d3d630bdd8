/**
 * `npm run bench:timing-replay -- --trace FILE [--options JSON]`: each speaker's output timing
 * replayed offline from a bench:sync trace taken with `--timing-log`, under the app's own rules
 * (the baseline) and under `--options` (a partial OutputTimingOptions; `render` and `fine` are
 * partial too), against the rendered truth of the same run.
 *
 * Fidelity first: the baseline replay must give the latency the app itself reported in the trace's
 * polls (printed: the largest gap, ms). Then, per reading, δ = where the variant maps the newest
 * frame minus where the baseline does: a speaker that believes its frames are heard δ later plays
 * them δ earlier, so its truth would have been truth − δ. That assumes the drift loop follows the
 * mapping at once (it slips toward it at up to ~0.3 ms/s); rule changes that act within seconds
 * are judged a little too kindly. Printed for both: each pair's |offset| p50 / p95 / p99 / max and
 * each speaker's offset from the others (p95 of |· − median|), over the truth's steady windows.
 */
import { readFileSync } from 'node:fs';
import { OutputTiming, type OutputTimingOptions } from '../src/sync/output-timing.js';
import { replayTimingInputs, rowPerfMs, teeTimingInputs, TimingInputKind, type TimingInputRow } from '../src/sync/output-timing-log.js';
import { median } from '../src/sync/median.js';
import { stringArg } from './cli-args.js';
import type { SpeakerTimingLog } from './timing-log-drain.js';
import type { HostSample, TraceRound } from './playout-trace.js';
import { percentile } from './stats.js';

interface TraceFile {
  readonly rounds: TraceRound[];
  readonly timingInputs: SpeakerTimingLog[] | null;
  readonly absoluteTruth: HostSample[][];
}

/** Per reading: page ms, the baseline's heard latency (ms), and variant − baseline mapping of the newest frame (ms). */
interface ReplayPoint {
  readonly perfMs: number;
  readonly baseLatencyMs: number;
  readonly deltaMs: number;
}

function replay(log: SpeakerTimingLog, variant: Partial<OutputTimingOptions>): ReplayPoint[] {
  const sampleRateHz = log.sampleRateHz;
  if (sampleRateHz === null) throw new Error('a speaker of the trace never gave its timing log');
  const base = new OutputTiming({ sampleRateHz });
  const other = new OutputTiming({ ...variant, sampleRateHz });
  const points: ReplayPoint[] = [];
  let newestFrame = 0;
  replayTimingInputs(log.rows, teeTimingInputs(base, other), (row: TimingInputRow) => {
    if (row[0] === TimingInputKind.frames) newestFrame = Math.max(newestFrame, row[1]);
    if (row[0] !== TimingInputKind.reading || !base.ready || !other.ready) return;
    const ctxSec = newestFrame / sampleRateHz;
    points.push({ perfMs: rowPerfMs(row), baseLatencyMs: base.heardLatencyMs, deltaMs: other.contextToPerfMs(ctxSec) - base.contextToPerfMs(ctxSec) });
  });
  return points;
}

/** The point at or before `perfMs` (points ascending), or null. */
function at(points: readonly ReplayPoint[], perfMs: number): ReplayPoint | null {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0 || points[0]!.perfMs > perfMs) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid]!.perfMs <= perfMs) lo = mid;
    else hi = mid - 1;
  }
  return points[lo]!;
}

const absStats = (values: readonly number[]): string => {
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  return `${[0.5, 0.95, 0.99].map((q) => percentile(abs, q).toFixed(3)).join(' / ')} / ${(abs.at(-1) ?? NaN).toFixed(3)}`;
};
const aroundMedianP95 = (values: readonly number[]): number => {
  const m = median([...values]);
  return percentile(values.map((v) => Math.abs(v - m)).sort((a, b) => a - b), 0.95);
};

const file = stringArg('trace');
if (file === undefined) throw new Error('--trace FILE (a bench:sync trace taken with --timing-log) is needed');
const variant = JSON.parse(stringArg('options') ?? '{}') as Partial<OutputTimingOptions>;
const trace = JSON.parse(readFileSync(file, 'utf8')) as TraceFile;
const logs = trace.timingInputs;
if (logs === null || logs.length === 0) throw new Error(`${file} holds no timing inputs: take it with bench:sync --trace FILE --timing-log`);
const n = trace.absoluteTruth.length;
const timeOrigins = Array.from({ length: n }, (_, k) => trace.rounds.find((r) => r[k] != null)?.[k]?.timeOriginMs ?? NaN);
const replays = logs.slice(0, n).map((log) => replay(log, variant));

console.log(`### Output timing replayed from ${file}: ${n} speakers; variant ${JSON.stringify(variant)}\n`);
for (const [k, points] of replays.entries()) {
  const gaps = trace.rounds.flatMap((round) => {
    const s = round[k];
    if (s == null || s.latencyMs === null || s.fineLatencyMs === null) return [];
    const p = at(points, s.hostMs - timeOrigins[k]!);
    return p === null ? [] : [Math.abs(p.baseLatencyMs - (s.latencyMs + s.fineLatencyMs))];
  });
  const deltas = points.map((p) => p.deltaMs);
  console.log(`S${k}: ${logs[k]!.rows.length} inputs (${logs[k]!.droppedRows} dropped), ${points.length} readings; baseline vs the app's polls: median gap ${median(gaps).toFixed(4)} ms, max ${Math.max(...gaps).toFixed(3)} ms; variant − baseline mapping: ${absStats(deltas)} ms (|·| p50 / p95 / p99 / max)`);
}

// Truth on a 100 ms grid, per speaker, actual and as the variant would have played.
const key = (hostMs: number): number => Math.round(hostMs / 100);
const grids = trace.absoluteTruth.map((samples, k) => {
  const actual = new Map<number, number>();
  const predicted = new Map<number, number>();
  for (const s of samples) {
    const p = at(replays[k]!, s.hostMs - timeOrigins[k]!);
    if (p === null) continue;
    actual.set(key(s.hostMs), s.valueMs);
    predicted.set(key(s.hostMs), s.valueMs - p.deltaMs);
  }
  return { actual, predicted };
});
const common = [...grids[0]!.actual.keys()].filter((t) => grids.every((g) => g.actual.has(t)));
console.log(`\n${common.length} instants where every speaker was locked.\n`);
console.log('| pair | actual |offset| p50 / p95 / p99 / max ms | variant (predicted) |');
console.log('|---|---|---|');
for (let a = 0; a < n; a++) {
  for (let b = a + 1; b < n; b++) {
    const pair = (which: 'actual' | 'predicted') => common.map((t) => grids[a]![which].get(t)! - grids[b]![which].get(t)!);
    console.log(`| S${a}–S${b} | ${absStats(pair('actual'))} | ${absStats(pair('predicted'))} |`);
  }
}
console.log('\n| speaker | actual: offset from the others, p95 of |· − median| ms | variant |');
console.log('|---|---:|---:|');
for (let k = 0; k < n; k++) {
  const rel = (which: 'actual' | 'predicted') => common.map((t) => grids[k]![which].get(t)! - grids.filter((_, j) => j !== k).reduce((sum, g) => sum + g[which].get(t)!, 0) / (n - 1));
  console.log(`| S${k} | ${aroundMedianP95(rel('actual')).toFixed(3)} | ${aroundMedianP95(rel('predicted')).toFixed(3)} |`);
}
