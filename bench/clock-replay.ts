/**
 * Replays the recorded live clock trace (test/fixtures/live-clock-trace.json) through ClockSync and
 * prints the error of the estimate against the known true offset, after convergence.
 *   npx tsx bench/clock-replay.ts [path/to/trace.json]
 */
import { readFileSync } from 'node:fs';
import { replayLiveTrace, type LiveClockTrace } from '../test/sim/live-replay.js';

const path = process.argv[2] ?? new URL('../test/fixtures/live-clock-trace.json', import.meta.url);
const trace = JSON.parse(readFileSync(path, 'utf8')) as LiveClockTrace;
const f = (ms: number): string => ms.toFixed(4).padStart(9);
console.log('follower  replies  conv@ ms   signed p50   |err| p50   p95       max       jumps  target p95 ≤ 0.1');
for (const r of replayLiveTrace(trace)) {
  console.log(
    `${r.follower.padEnd(9)} ${String(r.replies).padStart(7)} ${String(Math.round(r.convergedAfterMs ?? Number.NaN)).padStart(8)}  ${f(r.medianSignedMs)}   ${f(r.summary.p50)} ${f(r.summary.p95)} ${f(r.summary.max)} ${String(r.jumpsDetected).padStart(5)}  ${r.summary.p95 <= 0.1 ? 'met' : 'MISSED'}`,
  );
}
