/**
 * `npm run bench:trim`: does a speaker's latency trim move its REAL output by exactly that much?
 *   npm run bench:trim                          3 speakers, steps of 0.3 ms, 30 s apart
 *   npm run bench:trim -- --step-ms 1 --hold-seconds 20 --trace trim.json   (saves the polls and offsets)
 *
 * Acoustic calibration's corrections and the manual trim take the same path in the engine (a
 * change of the speaker's deliberate offset, slipped in by the drift loop, or re-scheduled when
 * large), so this measures both: the rig of bench:calibrate (playing-room.ts) plays the demo; the
 * trim of S1 is set to +step, then S2's (with 3 or more speakers), then S1's back to 0, by typing
 * into each speaker's own "Latency trim (ms)" box. Each step is judged from the rendered audio
 * against S0, which never changes: the median pair offset over a hold before it against the one
 * over the same hold after it (from `--settle-seconds` after the step, default 5), and how long
 * the offset took to cover 90 % of the step (1 s medians).
 */
import type { Page } from 'playwright-core';
import { waitForDiagnostics } from '../test/e2e/harness.js';
import { writeFileSync } from 'node:fs';
import { numberArg, stringArg } from './cli-args.js';
import { pairwiseOffsetsMs, type FrameSample } from './playout-compare.js';
import { disposeAllGuarded, runGuarded } from './process-guard.js';
import { sleep, speakerTracks, startPlayingRoom } from './playing-room.js';
import { hostNowMs } from './room-recorder.js';
import { percentile } from './stats.js';

const n = numberArg('speakers', 3);
const stepMs = numberArg('step-ms', 0.3);
const holdSec = numberArg('hold-seconds', 30);
const settleSec = numberArg('settle-seconds', 5);
const pulseLatencyMs = numberArg('pulse-latency-ms', 40);
const steadySec = numberArg('steady-seconds', 15);
const traceFile = stringArg('trace');

if (n < 2) throw new RangeError('bench:trim needs at least 2 speakers');
if (!(settleSec + 2 < holdSec)) throw new RangeError('--hold-seconds must exceed --settle-seconds by more than 2');

const f = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const trimOf = (d: unknown): number | undefined => (d as { playback?: { report?: { trimMs?: number } } | null } | null)?.playback?.report?.trimMs;

/** Types `trimMs` into the speaker's trim box, as a person would, and waits until its engine has it. */
async function setTrim(page: Page, trimMs: number): Promise<void> {
  const box = page.locator('tutti-player #trim');
  await box.fill(String(trimMs));
  await box.dispatchEvent('change');
  await waitForDiagnostics(page, (d) => trimOf(d) === trimMs, { what: `trim ${trimMs} ms in force`, timeoutMs: 10_000 });
}

interface Step {
  readonly speaker: number;
  readonly fromMs: number;
  readonly toMs: number;
  hostMs: number;
}

const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 0.5);

/** Offsets (ms) of `samples` whose host time lies in [fromHostMs, toHostMs). */
const within = (samples: readonly { hostMs: number; valueMs: number }[], fromHostMs: number, toHostMs: number): number[] =>
  samples.filter((s) => s.hostMs >= fromHostMs && s.hostMs < toHostMs).map((s) => s.valueMs);

/** Seconds after the step until the 1 s median first covered 90 % of `movedMs`; NaN if never within the hold. */
function timeTo90(samples: readonly { hostMs: number; valueMs: number }[], step: Step, beforeMs: number, movedMs: number): number {
  for (let t = 0; t + 1 <= holdSec; t += 0.25) {
    const slice = within(samples, step.hostMs + t * 1000, step.hostMs + (t + 1) * 1000);
    if (slice.length > 0 && (median(slice) - beforeMs) / movedMs >= 0.9) return t + 1;
  }
  return Number.NaN;
}

await runGuarded(async () => {
  const schedule: Step[] = [{ speaker: 1, fromMs: 0, toMs: stepMs, hostMs: NaN }];
  if (n > 2) schedule.push({ speaker: 2, fromMs: 0, toMs: stepMs, hostMs: NaN });
  schedule.push({ speaker: 1, fromMs: stepMs, toMs: 0, hostMs: NaN });
  const { speakers, recorder, trace, playHostMs, steadyWaitMs } = await startPlayingRoom({
    speakers: n,
    pulseLatencyMs,
    playSec: holdSec * (schedule.length + 1) + 10,
    steadySec,
    listener: false,
  });
  await sleep(holdSec * 1000);
  for (const step of schedule) {
    await setTrim(speakers[step.speaker]!.page, step.toMs);
    step.hostMs = hostNowMs();
    console.error(`S${step.speaker}: trim ${step.fromMs} → ${step.toMs} ms`);
    await sleep(holdSec * 1000);
  }
  const recording = await recorder.stop();
  const rounds = await trace.stop();
  await disposeAllGuarded();

  console.error(`recorded ${f(recording.frameCount / recording.rateHz, 1)} s; analysing…`);
  const { tracks, dropped, loopSec } = speakerTracks(recording, n, playHostMs);
  const hosted = (samples: readonly FrameSample[]) => samples.map((s) => ({ hostMs: recording.hostMsAt(s.recordingFrame), valueMs: s.valueMs }));
  // Offset of speaker k against S0, positive = k heard later.
  const againstS0 = tracks.map((t, k) => (k === 0 ? [] : hosted(pairwiseOffsetsMs(tracks[0]!, t, loopSec))));
  if (traceFile !== undefined) writeFileSync(traceFile, JSON.stringify({ rounds, steps: schedule, againstS0 }));
  const rows = schedule.map((step) => {
    const samples = againstS0[step.speaker]!;
    const before = within(samples, step.hostMs - (holdSec - settleSec) * 1000, step.hostMs);
    const after = within(samples, step.hostMs + settleSec * 1000, step.hostMs + holdSec * 1000);
    const beforeMs = median(before);
    const afterMs = median(after);
    const movedMs = afterMs - beforeMs;
    const wantedMs = step.toMs - step.fromMs;
    const afterSpread = percentile(after.map((v) => Math.abs(v - afterMs)).sort((a, b) => a - b), 0.95);
    return `| S${step.speaker} | ${f(step.fromMs, 1)} → ${f(step.toMs, 1)} | ${f(wantedMs)} | ${f(movedMs)} | ${f(movedMs / wantedMs, 2)} | ${f(timeTo90(samples, step, beforeMs, movedMs), 2)} | ${before.length}/${after.length} | ${f(afterSpread)} |`;
  });
  console.log(
    [
      `### Latency trim steps, judged from the rendered audio: ${n} speakers, S0 untouched`,
      '',
      `Each step against S0: the median offset over the ${holdSec - settleSec} s before it and over the hold from ${settleSec} s after it (${holdSec} s holds; outputs steady for ${steadySec} s first, after ${f(steadyWaitMs / 1000, 1)} s of waiting).`,
      '',
      '| speaker | trim ms | wanted ms | moved ms | moved / wanted | s to 90 % | windows before/after | after: p95 of \\|offset − median\\| ms |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `Windows left out as lone correlation outliers: ${dropped.map((count, k) => `S${k} ${count}`).join(', ')}.`,
    ].join('\n'),
  );
});
