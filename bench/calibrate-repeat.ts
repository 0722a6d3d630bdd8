/**
 * `npm run bench:calibrate-repeat`: calibration's measurements against the RENDERED audio, and how
 * far the speakers move between calibrations.
 *   npm run bench:calibrate-repeat -- --runs 6 --gap-seconds 12
 *
 * The rig of bench:calibrate (pulse-room.ts, a listener whose microphone is the room's mix). The
 * listener calibrates `--runs` times, `--gap-seconds` apart, each once (no retry). For each run it
 * prints what the measuring pass heard of each speaker against speaker S0 next to the recording's
 * truth over the same seconds (pass error = heard − truth), the verification's message, and each
 * pair's offset just before the run and just after it: a pair that moves between one run's
 * "after" and the next run's "before", with nothing applied meanwhile, moved by itself.
 */
import type { CalibrationReport } from '../src/room/calibration-runner.js';
import { median } from '../src/sync/median.js';
import { calibrateFromUi } from './calibrate-ui.js';
import { numberArg } from './cli-args.js';
import { pairwiseOffsetsMs } from './playout-compare.js';
import { sleep, speakerTracks, startPlayingRoom } from './playing-room.js';
import { disposeAllGuarded, runGuarded } from './process-guard.js';
import { hostNowMs } from './room-recorder.js';

const n = numberArg('speakers', 3);
const runs = numberArg('runs', 6);
const gapSec = numberArg('gap-seconds', 12);
/** The measuring pass: its probes start 0.7 s after the click and last ~0.8 s per speaker and the anchor, ms from the click. */
const PASS_FROM_MS = 700;
const passToMs = PASS_FROM_MS + (n + 1) * 800;
/** Windows of truth around each run, ms. */
const AROUND_MS = 4_000;

const f = (v: number | null, digits = 3): string => (v !== null && Number.isFinite(v) ? v.toFixed(digits) : '—');

interface Run {
  readonly startHostMs: number;
  readonly endHostMs: number;
  readonly report: CalibrationReport;
}

await runGuarded(async () => {
  const { listener, recorder, trace, playHostMs } = await startPlayingRoom({ speakers: n, pulseLatencyMs: 40, playSec: 60 + runs * (gapSec + 15), steadySec: 10, listener: true });
  if (listener === null) throw new Error('the rig has no listener');
  const done: Run[] = [];
  for (let k = 0; k < runs; k++) {
    const startHostMs = hostNowMs();
    const report = await calibrateFromUi(listener);
    done.push({ startHostMs, endHostMs: hostNowMs(), report });
    console.error(`run ${k + 1}: ${report.message}`);
    await sleep(gapSec * 1000);
  }
  await trace.stop();
  const recording = await recorder.stop();
  await disposeAllGuarded();

  const { tracks, loopSec } = speakerTracks(recording, n, playHostMs);
  // Offset of S0–Sk (positive: Sk later than S0), by recording frame.
  const offsets = tracks.map((t) => pairwiseOffsetsMs(tracks[0]!, t, loopSec));
  const truthMs = (k: number, fromHostMs: number, toHostMs: number): number | null => {
    const [from, to] = [recording.frameAt(fromHostMs), recording.frameAt(toHostMs)];
    const values = offsets[k]!.filter((o) => o.recordingFrame >= from && o.recordingFrame < to).map((o) => o.valueMs);
    return values.length === 0 ? null : median(values);
  };
  const indexOf = (name: string): number => Number(name.replace(/^S/, ''));
  const rows: string[] = [];
  const passErrors: number[] = [];
  for (const [r, run] of done.entries()) {
    const pass = run.report.passes[0];
    const heard = new Map<number, number>();
    for (const row of run.report.rows) {
      const delayMs = pass?.probes[row.speakerId]?.delayMs;
      if (delayMs !== undefined && Number.isFinite(delayMs)) heard.set(indexOf(row.name), delayMs);
    }
    const cells: string[] = [];
    for (let k = 1; k < n; k++) {
      const h = heard.has(k) && heard.has(0) ? heard.get(k)! - heard.get(0)! : null;
      const t = truthMs(k, run.startHostMs + PASS_FROM_MS, run.startHostMs + passToMs);
      const error = h !== null && t !== null ? h - t : null;
      if (error !== null) passErrors.push(error);
      const before = truthMs(k, run.startHostMs - AROUND_MS, run.startHostMs);
      const after = truthMs(k, run.endHostMs + 1000, run.endHostMs + 1000 + AROUND_MS);
      cells.push(`${f(h)} / ${f(t)} (${f(error)}) | ${f(before)} → ${f(after)}`);
    }
    rows.push(`| ${r + 1} | ${cells.join(' | ')} | ${run.report.message} |`);
  }
  const abs = passErrors.map(Math.abs).sort((a, b) => a - b);
  const pairs = Array.from({ length: n - 1 }, (_, k) => `S0–S${k + 1}: heard / truth (error) | before → after`);
  console.log(
    [
      `### Calibration against the rendered audio: ${runs} runs, ${gapSec} s apart, ${n} speakers`,
      '',
      'Per run and pair (ms; positive: the second speaker later): what the measuring pass heard, the recording over the same seconds, and the pair just before the run and 1–5 s after it (median of the recording).',
      '',
      `| run | ${pairs.join(' | ')} | report |`,
      `|---|${pairs.map(() => '---|---').join('|')}|---|`,
      ...rows,
      '',
      `Measuring pass against the truth: |error| median ${f(median(abs))} ms, max ${f(abs.at(-1) ?? null)} ms over ${abs.length} pairs.`,
    ].join('\n'),
  );
});
