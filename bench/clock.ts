/**
 * `npm run bench:clock`: clock-sync accuracy.
 *   npm run bench:clock                 simulated scenarios (full length) and a 60 s live run
 *   npm run bench:clock -- --sim        simulated scenarios only
 *   npm run bench:clock -- --live       live only; --seconds N, --speakers N
 */
import { formatClockBenchTable, runClockSimBenchmark } from './clock-sim.js';
import { runLiveClockBenchmark } from './clock-live.js';
import { numberArg, hasFlag } from './cli-args.js';

const sim = !hasFlag('live') || hasFlag('sim');
const live = !hasFlag('sim') || hasFlag('live');

if (sim) {
  console.log('Simulated scenarios (seeded; |error| of toShared after convergence)\n');
  console.log(formatClockBenchTable(runClockSimBenchmark({ quick: hasFlag('quick') })));
}

if (live) {
  const seconds = numberArg('seconds', 60);
  const speakers = numberArg('speakers', 3);
  console.log(`\nLive: ${speakers} Chromium processes, injected offsets/skews, ${seconds} s of samples every 100 ms`);
  console.log('(target: |estimate − truth| ≤ 0.1 ms p95)\n');
  const rows = await runLiveClockBenchmark({ speakers, durationMs: seconds * 1000, sampleIntervalMs: 100 });
  const f = (ms: number): string => ms.toFixed(4).padStart(9);
  console.log('speaker  injected                 converged@   samples   p50 ms    p95 ms    p99 ms    max ms  max at   target');
  for (const r of rows) {
    console.log(
      `${r.speaker.padEnd(8)} ${r.injected.padEnd(24)} ${`${r.convergedAfterMs.toFixed(0)} ms`.padStart(10)} ${String(r.samples).padStart(9)} ${f(r.p50Ms)} ${f(r.p95Ms)} ${f(r.p99Ms)} ${f(r.maxMs)} ${`${r.maxAtSec.toFixed(1)} s`.padStart(8)}   ${r.p95Ms <= 0.1 ? 'met' : 'MISSED'}`,
    );
  }
}
