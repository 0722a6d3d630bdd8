/**
 * `npm run bench:calibrate-synthetic`: calibration error vs SNR on synthetic recordings.
 *   npm run bench:calibrate-synthetic -- --trials 20
 *   npm run bench:calibrate-synthetic -- --rate 44100 --listener-ppm 670 --mark-jitter-ms 1   (bench:calibrate's listener)
 *
 * Each trial simulates a whole calibration pass (test/sim/calibration-run.ts): 3 speakers with
 * random true output delays (0–300 ms, fractional), gains 6–20 dB apart, echoes and a reverberant
 * tail on one, the listener's audio clock `--listener-ppm` off (default 20) with timing marks jittering by
 * `--mark-jitter-ms` (default 0.2), capturing at `--rate` Hz (default 48000), the first speaker's anchor probe, an unknown
 * microphone latency, white noise at the given SNR (against the weakest speaker) and a few lost
 * capture blocks in the pre-roll (losses between windows make the pass refuse, see
 * calibration-analysis.ts). The error is each speaker's measured delay relative to speaker 0
 * minus the true relative delay (what calibration corrects). Target: ≤ 0.05 ms for SNR ≥ 10 dB.
 */
import { analyzePass } from '../src/sync/calibration-analysis.js';
import { ProbeVerdict } from '../src/sync/calibration-locate.js';
import { planAnchor, planProbes } from '../src/sync/calibration-plan.js';
import { simulatePass, type SimSpeaker } from '../test/sim/calibration-run.js';
import { Rng } from '../test/sim/rng.js';
import { numberArg } from './cli-args.js';
import { percentile } from './stats.js';

const trials = numberArg('trials', 10);
/** Listener audio clock vs page clock, ppm (crystals: typically within ±20). */
const listenerPpm = numberArg('listener-ppm', 20);
const rateHz = numberArg('rate', 48_000);
const markJitterMs = numberArg('mark-jitter-ms', 0.2);

const SNRS = [30, 20, 10, 5, 0, -5, -10, -15];
const speakers = [0, 1, 2].map((k) => ({ speakerId: `s${k}`, name: `S${k}` }));

const lines = [
  `### Calibration error vs SNR (synthetic, ${trials} trials × 3 speakers per SNR; listener clock ${listenerPpm} ppm off, marks ±${markJitterMs} ms, capture ${rateHz} Hz)`,
  '',
  'Error = measured minus true delay relative to speaker 0, ms. "refused" = probes reported not heard/ambiguous/glitch instead of measured.',
  '',
  '| SNR dB | measured | refused | p50 abs ms | p95 abs ms | max abs ms | target ≤ 0.05 ms |',
  '|---:|---:|---:|---:|---:|---:|---|',
];
for (const snrDb of SNRS) {
  const errors: number[] = [];
  let refused = 0;
  for (let trial = 0; trial < trials; trial++) {
    const rng = new Rng(1000 * (snrDb + 100) + trial);
    const sim: SimSpeaker[] = [0, 1, 2].map((k) => ({
      trueDelayMs: rng.uniform(0, 300),
      trimMs: 0,
      correctionMs: 0,
      gain: [0.3, 0.05, 0.15][k]!,
      ...(k === 1 ? { echoes: [{ delayMs: rng.uniform(1, 8), gain: 0.6 }, { delayMs: rng.uniform(8, 30), gain: 0.3 }], tail: { decayMs: 80, level: 0.3 } } : {}),
    }));
    const slots = planProbes(speakers, 20_000, trial);
    const anchor = planAnchor(slots)!;
    const capture = simulatePass({
      speakers: [...sim, sim[0]!], slots: [...slots, anchor], snrDb, rateHz, micLatencyMs: rng.uniform(5, 80), listenerPpm, frameAtZero: rng.int(0, 1e7),
      markJitterMs, seed: trial + 1, lostBlocks: new Set([rng.int(0, 100), rng.int(0, 100)]),
    });
    const analysis = analyzePass(capture, slots, anchor);
    if (!analysis.ok) throw new Error(analysis.message);
    const located = slots.map((s) => analysis.locations.get(s.speakerId)!);
    for (let k = 1; k < 3; k++) {
      if (located[0]!.verdict !== ProbeVerdict.ok || located[k]!.verdict !== ProbeVerdict.ok) {
        refused++;
        continue;
      }
      const measured = located[k]!.delayMs - located[0]!.delayMs;
      errors.push(measured - (sim[k]!.trueDelayMs - sim[0]!.trueDelayMs));
    }
  }
  const abs = errors.map(Math.abs).sort((a, b) => a - b);
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : '—');
  const max = abs.at(-1) ?? NaN;
  const verdict = snrDb >= 10 ? (max <= 0.05 && refused === 0 ? 'met' : 'MISSED') : '(below target range)';
  lines.push(`| ${snrDb} | ${errors.length} | ${refused} | ${f(percentile(abs, 0.5))} | ${f(percentile(abs, 0.95))} | ${f(max)} | ${verdict} |`);
}
console.log(lines.join('\n'));
