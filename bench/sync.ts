/**
 * `npm run bench:sync`: playout sync measured from the RENDERED audio (PulseAudio room recording).
 *   npm run bench:sync                         the app: 3 speakers, 60 s, a late joiner, playout error table
 *   npm run bench:sync -- --speakers 3 --seconds 600 --no-late-join
 *   npm run bench:sync -- --validate           rig check without the app (synthetic + plain Web Audio)
 *   npm run bench:sync -- --validate --synthetic-only
 * --output-timing readings: the app maps output time from getOutputTimestamp() alone (comparison).
 * --pulse-latency-ms N (default 40; 0 = Chromium's own request) sets PULSE_LATENCY_MSEC for the
 * browsers: server-side buffering that keeps a busy shared machine from causing underruns.
 */
import { runAppSyncBenchmark, formatAppSyncReport } from './app-sync.js';
import { disposeAllGuarded } from './process-guard.js';
import { ReferenceTrack } from './reference-track.js';
import { formatRigCheck, runRigCheck, runSyntheticCheck } from './rig-check.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(`--${name}`);
const value = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  const parsed = at >= 0 && at + 1 < args.length ? Number(args[at + 1]) : fallback;
  if (!Number.isFinite(parsed)) throw new Error(`--${name} needs a number`);
  return parsed;
};

const speakers = value('speakers', 3);
const seconds = value('seconds', flag('validate') ? 20 : 60);
const pulseLatency = value('pulse-latency-ms', 40);
const pulseLatencyMs = pulseLatency > 0 ? pulseLatency : undefined;

try {
  const track = new ReferenceTrack();
  if (flag('validate')) {
    const synthetic = runSyntheticCheck(track.monoAt(48000, 40), 48000);
    const live = flag('synthetic-only') ? null : await runRigCheck({ speakers, seconds, reference: track, pulseLatencyMs });
    console.log(formatRigCheck(synthetic, live));
  } else {
    const report = await runAppSyncBenchmark({ speakers, seconds, lateJoin: !flag('no-late-join'), pressToSound: !flag('no-press'), reference: track, pulseLatencyMs, outputTiming: args.includes('readings') ? 'readings' : 'cross-checked' });
    console.log(formatAppSyncReport(report));
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await disposeAllGuarded();
}
