import type { Milliseconds } from '../src/sync/units.js';
import { runClockScenario, type ClockScenario, type ClockScenarioResult } from '../test/sim/clock-scenario.js';
import {
  asymmetricScenario,
  highLoadScenario,
  skewedShapeScenario,
  wifiCoarseClockScenario,
  wifiJumpScenario,
  wifiScenario,
  wiredLanScenario,
  WIFI_BACKWARD,
  WIFI_FORWARD,
  type ScenarioOptions,
} from '../test/sim/clock-scenarios.js';
import { runLeaderChange } from '../test/sim/leader-change-scenario.js';
import { percentile, summarizeAbs } from '../test/sim/stats.js';

/** One line of the simulated clock benchmark. Times in ms; errors are |error| in ms. */
export interface ClockBenchRow {
  scenario: string;
  seeds: number;
  /** Simulated length per seed, s. */
  simulatedSec: number;
  convergeMedianMs: Milliseconds;
  convergeMaxMs: Milliseconds;
  p50: Milliseconds;
  p95: Milliseconds;
  p99: Milliseconds;
  max: Milliseconds;
  /** Fraction of samples whose |error| ≤ the reported 1-sigma uncertainty. */
  withinUncertainty: number;
  target: string;
  met: boolean;
  note: string;
}

/** Options of {@link runClockSimBenchmark}. */
export interface ClockBenchOptions {
  /** Shorter simulated sessions (about a tenth). */
  quick?: boolean;
  /** Seeds per scenario (default 3). */
  seeds?: number;
}

interface BenchCase {
  readonly build: (seed: number, options: ScenarioOptions) => ClockScenario;
  readonly fullMs: Milliseconds;
  readonly quickMs: Milliseconds;
  readonly target: string;
  readonly met: (row: ClockBenchRow, results: readonly ClockScenarioResult[]) => boolean;
  readonly note: (results: readonly ClockScenarioResult[]) => string;
}

const MIN = 60_000;
const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
const stepNote = (results: readonly ClockScenarioResult[]): string =>
  `max step at a reply ${fmt(Math.max(...results.map((r) => r.maxStepMs)))} ms`;

const CASES: readonly BenchCase[] = [
  {
    build: wiredLanScenario,
    fullMs: 5 * MIN,
    quickMs: 1 * MIN,
    target: 'p99 ≤ 0.05, converged ≤ 1000',
    met: (row) => row.p99 <= 0.05 && row.convergeMaxMs <= 1000,
    note: stepNote,
  },
  {
    build: wifiScenario,
    fullMs: 30 * MIN,
    quickMs: 3 * MIN,
    target: 'p95 ≤ 0.1, p99 ≤ 0.25',
    met: (row) => row.p95 <= 0.1 && row.p99 <= 0.25,
    note: stepNote,
  },
  {
    build: wifiJumpScenario,
    fullMs: 30 * MIN,
    quickMs: 3 * MIN,
    target: 'p99 ≤ 0.25, recovery ≤ 5000',
    met: (row, results) => row.p99 <= 0.25 && Math.max(...results.flatMap((r) => r.recoveryMs)) <= 5000,
    note: (results) =>
      `+1.5 s jump; detected ${results.map((r) => r.jumpsDetected).join('/')}; recovery ${results
        .flatMap((r) => r.recoveryMs)
        .map((v) => fmt(v, 0))
        .join('/')} ms; max = the jump before detection`,
  },
  {
    build: asymmetricScenario,
    fullMs: 5 * MIN,
    quickMs: 1 * MIN,
    target: 'p50 = 0.1 ± 0.03 (bias)',
    met: (row) => Math.abs(row.p50 - 0.1) <= 0.03,
    note: (results) => {
      const signed = results.flatMap((r) => r.errorsMs);
      return `min delays 0.25/0.05 ms: unobservable by any two-way protocol; error = half = 0.1 ms (signed median ${fmt(percentile(signed, 0.5))})`;
    },
  },
  {
    build: highLoadScenario,
    fullMs: 10 * MIN,
    quickMs: 2 * MIN,
    target: 'p99 ≤ 0.1',
    met: (row) => row.p99 <= 0.1,
    note: stepNote,
  },
  {
    build: skewedShapeScenario,
    fullMs: 10 * MIN,
    quickMs: 2 * MIN,
    target: 'p95 ≤ 0.1',
    met: (row) => row.p95 <= 0.1,
    note: (results) => {
      const signed = results.flatMap((r) => r.errorsMs);
      return `minimum 0.665 ms both ways, forward p10 ≈ min + 0.3 ms, backward ≈ min + 0.06 ms (as live Chromium); signed median ${fmt(percentile(signed, 0.5))}`;
    },
  },
  {
    build: wifiCoarseClockScenario,
    fullMs: 10 * MIN,
    quickMs: 2 * MIN,
    target: 'p95 ≤ 0.15 (info)',
    met: (row) => row.p95 <= 0.15,
    note: () => 'performance.now() quantized to 0.1 ms (not cross-origin isolated)',
  },
];

/**
 * Run every simulated scenario over `seeds` seeds and return one row each, plus a leader-change
 * row. Pure (no I/O); the full run simulates ~2.5 h per seed.
 */
export function runClockSimBenchmark(options: ClockBenchOptions = {}): ClockBenchRow[] {
  const seeds = options.seeds ?? 3;
  const rows = CASES.map((c) => {
    const durationMs = options.quick === true ? c.quickMs : c.fullMs;
    const results = Array.from({ length: seeds }, (_, i) => runClockScenario(c.build(1000 + i, { durationMs }), 1000 + i));
    const name = c.build(0, { durationMs }).name;
    const errorsMs = results.flatMap((r) => r.errorsMs);
    const covered = results.reduce((s, r) => s + r.withinUncertainty * r.errorsMs.length, 0);
    const row: ClockBenchRow = {
      scenario: name,
      seeds,
      simulatedSec: durationMs / 1000,
      ...errorColumns(errorsMs, results.map((r) => r.convergedAfterMs)),
      withinUncertainty: covered / Math.max(1, errorsMs.length),
      target: c.target,
      met: false,
      note: c.note(results),
    };
    row.met = c.met(row, results);
    return row;
  });
  rows.push(leaderChangeRow(seeds, options.quick === true));
  return rows;
}

function leaderChangeRow(seeds: number, quick: boolean): ClockBenchRow {
  const durationMs = quick ? 2 * MIN : 5 * MIN;
  const results = Array.from({ length: seeds }, (_, i) =>
    runLeaderChange(
      {
        forward: WIFI_FORWARD,
        backward: WIFI_BACKWARD,
        processing: { minMs: 0.02, maxMs: 0.3 },
        failAtMs: durationMs / 2,
        detectMs: 2_000,
        durationMs,
        sampleEveryMs: 100,
      },
      2000 + i,
    ),
  );
  const maxStep = Math.max(...results.map((r) => Math.abs(r.maxFollowerStepMs)));
  const pinned = results.every((r) => r.authorityStepMs === 0 && r.followStepMs === 0);
  return {
    scenario: 'leader change (Wi-Fi): C vs new leader B',
    seeds,
    simulatedSec: durationMs / 1000,
    ...errorColumns(
      results.flatMap((r) => r.errorsAfterMs),
      results.map((r) => r.reconvergedAfterMs),
    ),
    withinUncertainty: Number.NaN,
    target: 'no step > 1 ms in C',
    met: maxStep <= 1 && pinned,
    note: `C holds its old mapping until its estimate of B is as good (conv = follow() → switch); C's largest step since it first converged on A ${fmt(maxStep, 4)} ms (at the switch ${results.map((r) => fmt(Math.abs(r.switchStepMs), 4)).join('/')}); B and C steps at the change: 0${pinned ? '' : ' (NOT 0)'}`,
  };
}

/** Convergence and |error| percentile columns of a row; a run that never converged counts as ∞. */
function errorColumns(
  errorsMs: readonly number[],
  convergedAfterMs: ReadonlyArray<Milliseconds | null>,
): Pick<ClockBenchRow, 'convergeMedianMs' | 'convergeMaxMs' | 'p50' | 'p95' | 'p99' | 'max'> {
  const summary = summarizeAbs(errorsMs);
  const converge = convergedAfterMs.map((ms) => ms ?? Number.POSITIVE_INFINITY);
  return {
    convergeMedianMs: percentile(converge, 0.5),
    convergeMaxMs: Math.max(...converge),
    p50: summary.p50,
    p95: summary.p95,
    p99: summary.p99,
    max: summary.max,
  };
}

/** The rows as a fixed-width text table with notes. */
export function formatClockBenchTable(rows: readonly ClockBenchRow[]): string {
  const header = ['scenario', 'seeds', 'sim s', 'conv med ms', 'conv max ms', 'p50', 'p95', 'p99', 'max', '≤σ', 'target', 'met'];
  const body = rows.map((r) => [
    r.scenario,
    String(r.seeds),
    String(r.simulatedSec),
    fmt(r.convergeMedianMs, 0),
    fmt(r.convergeMaxMs, 0),
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.p99),
    fmt(r.max),
    Number.isFinite(r.withinUncertainty) ? `${Math.round(r.withinUncertainty * 100)}%` : '-',
    r.target,
    r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const notes = rows.map((r) => `- ${r.scenario}: ${r.note}`);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    'Errors are |follower shared time − authority shared time| in ms, sampled every 100 ms after convergence;',
    '≤σ = share of samples within the reported uncertainty (1-sigma-ish).',
    ...notes,
  ].join('\n');
}
