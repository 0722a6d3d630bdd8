/**
 * `npm run bench:sync`: playout sync measured from the RENDERED audio (PulseAudio room recording).
 *   npm run bench:sync                         the app: 3 speakers, 60 s, a late joiner, playout error table
 *   npm run bench:sync -- --speakers 3 --seconds 600 --no-late-join
 *   npm run bench:sync -- --validate           rig check without the app (synthetic + plain Web Audio)
 *   npm run bench:sync -- --validate --synthetic-only
 * --no-realtime leaves the browsers' audio services at normal priority.
 * --press-when-cached presses play once every speaker has the demo cached, without waiting for its
 * decode-ahead (a speaker still decoding starts from a quick part of the track).
 * --steady-seconds N (default 15; 0 = press at once): once the room recorder runs, press only after
 * every speaker's output timing has been steady N s (its capture moves the sink latency, a rig transient).
 * --trace FILE writes the app's own error estimates (polled every 500 ms) as JSON; with
 * --timing-log, also every input of each speaker's output timing, which `npm run bench:timing-replay
 * -- FILE` replays offline under other rules against the same run's rendered truth; with
 * --timing-log-joiner too, the late joiner's (last in the trace's timingInputs).
 * --save-recording FILE writes each speaker's recorded channel and the reference (Float32 mono, one
 * after another) to FILE and their lengths to FILE.json, for analysis elsewhere.
 * --output-timing readings: the app maps output time from getOutputTimestamp() alone (comparison).
 * --frame-counter-message 1,2: those speakers' frame counters post their frames instead of writing
 * shared memory (comparison; the engine summaries at the end give each one's underruns).
 * --pulse-latency-ms N (default 40; 0 = Chromium's own request) sets PULSE_LATENCY_MSEC for the
 * browsers: server-side buffering that keeps a busy shared machine from causing underruns.
 */
import { runAppSyncBenchmark, formatAppSyncReport } from './app-sync.js';
import { runGuarded } from './process-guard.js';
import { ReferenceTrack } from './reference-track.js';
import { formatRigCheck, runRigCheck, runSyntheticCheck } from './rig-check.js';
import { numberArg, hasFlag, stringArg } from './cli-args.js';

const speakers = numberArg('speakers', 3);
const seconds = numberArg('seconds', hasFlag('validate') ? 20 : 60);
const pulseLatency = numberArg('pulse-latency-ms', 40);
const pulseLatencyMs = pulseLatency > 0 ? pulseLatency : undefined;

await runGuarded(async () => {
  const track = new ReferenceTrack();
  if (hasFlag('validate')) {
    const synthetic = runSyntheticCheck(track.monoAt(48000, 40), 48000);
    const live = hasFlag('synthetic-only') ? null : await runRigCheck({ speakers, seconds, reference: track, pulseLatencyMs });
    console.log(formatRigCheck(synthetic, live));
  } else {
    const report = await runAppSyncBenchmark({ speakers, seconds, lateJoin: !hasFlag('no-late-join'), pressToSound: !hasFlag('no-press'), pressWhenCached: hasFlag('press-when-cached'), reference: track, pulseLatencyMs, outputTiming: stringArg('output-timing') === 'readings' ? 'readings' : 'cross-checked', postingFrameCounters: new Set((stringArg('frame-counter-message') ?? '').split(',').filter((v) => v !== '').map(Number)), traceFile: stringArg('trace'), timingLog: hasFlag('timing-log'), timingLogJoiner: hasFlag('timing-log-joiner'), recordingFile: stringArg('save-recording'), realtimeAudioService: !hasFlag('no-realtime'), steadySeconds: numberArg('steady-seconds', 15) });
    console.log(formatAppSyncReport(report));
  }
});
