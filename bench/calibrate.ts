/**
 * `npm run bench:calibrate`: acoustic calibration judged from the RENDERED audio.
 *   npm run bench:calibrate                              3 speakers, 30 s before, 120 s after
 *   npm run bench:calibrate -- --speakers 4 --before-seconds 20 --seconds 60
 *   npm run bench:calibrate -- --hidden-delays-ms 0,0,0     no hidden device delays
 *
 * The real app (private build) and server; N Chromium speakers with injected clock offsets and
 * skews, each on its own sink of a private PulseAudio room (pulse-room.ts), plus a listener
 * Chromium (a remote, so it plays nothing) whose microphone is the room's mix (`mic`, a remap of
 * room.monitor). The demo plays; a parec recording of every speaker's own channels on one clock
 * measures the pair offsets BEFORE calibration; then the listener's "Calibrate speakers" button
 * is clicked and its report read from `<tutti-calibration>`; then the offsets AFTER (from
 * `--settle-seconds` after the run, default 5, for `--seconds`). The "before" window starts once
 * no speaker's output latency changed or render line restarted for `--steady-seconds` (default 15;
 * at most 60 s of waiting): the start-up transient is not what calibration is for.
 * Speaker k's sound is delayed by the k-th of `--hidden-delays-ms` (default 0, 2.5, 6.25 ms, then
 * 0 again) where its output timing cannot see it (`&hiddenDelayMs`, src/audio/sound-path.ts), as
 * real devices differ: the rig's own sinks differ by ~0.1 ms, which would leave calibration little to find.
 */
import { writeFileSync } from 'node:fs';
import { errorsVsOthersMs, pairwiseOffsetsMs } from './playout-compare.js';
import { compareEstimates, formatEstimates } from './playout-trace.js';
import { disposeAllGuarded, runGuarded } from './process-guard.js';
import { HOP_SEC, sleep, speakerTracks, startPlayingRoom } from './playing-room.js';
import { hostNowMs } from './room-recorder.js';
import { checkReadingsBeyond, formatCheckedReadings } from './pair-check.js';
import { percentile } from './stats.js';
import { numberArg, numberListArg, stringArg } from './cli-args.js';
import { calibrateFromUi } from './calibrate-ui.js';

const n = numberArg('speakers', 3);
const beforeSec = numberArg('before-seconds', 30);
const afterSec = numberArg('seconds', 120);
const settleSec = numberArg('settle-seconds', 5);
const pulseLatencyMs = numberArg('pulse-latency-ms', 40);
const traceFile = stringArg('trace');
const steadySec = numberArg('steady-seconds', 15);
const hiddenDelaysMs = numberListArg('hidden-delays-ms', [0, 2.5, 6.25]);
const hiddenDelayMs = (k: number): number => hiddenDelaysMs[k] ?? 0;

interface Stats {
  samples: number;
  medianMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

function stats(values: readonly number[]): Stats {
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  const signed = [...values].sort((a, b) => a - b);
  return { samples: abs.length, medianMs: percentile(signed, 0.5), p50Ms: percentile(abs, 0.5), p95Ms: percentile(abs, 0.95), maxMs: abs.at(-1) ?? NaN };
}

const f = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');

await runGuarded(async () => {
  const { clocks, listener, recorder, trace, playHostMs, steadyWaitMs: waitedMs } = await startPlayingRoom({
    speakers: n,
    pulseLatencyMs,
    playSec: beforeSec + afterSec + settleSec + 30,
    steadySec,
    listener: true,
    speakerParams: (k) => (hiddenDelayMs(k) > 0 ? `&hiddenDelayMs=${hiddenDelayMs(k)}` : ''),
  });
  if (listener === null) throw new Error('the rig has no listener');
  const beforeFromHostMs = hostNowMs() + 3000;
  await sleep(beforeFromHostMs + beforeSec * 1000 - hostNowMs());

  console.error('calibrating from the listener…');
  const calStartHostMs = hostNowMs();
  // As a person would: "try again" (up to 3 runs) when the run refuses (a stall on this busy machine).
  let report = await calibrateFromUi(listener);
  for (let attempt = 2; !report.ok && attempt <= 3; attempt++) {
    console.error(`calibration attempt ${attempt - 1}: ${report.message}; trying again\n${JSON.stringify(report.rows)}`);
    report = await calibrateFromUi(listener);
  }
  const calEndHostMs = hostNowMs();
  console.error(`calibration: ${report.message} (${f(report.durationMs / 1000, 1)} s)`);
  const afterFromHostMs = calEndHostMs + settleSec * 1000;
  await sleep(afterFromHostMs + afterSec * 1000 - hostNowMs());
  const recording = await recorder.stop();
  const rounds = await trace.stop();
  await disposeAllGuarded();

  console.error(`recorded ${f(recording.frameCount / recording.rateHz, 1)} s; analysing…`);
  const { tracks, dropped, loopSec, monos } = speakerTracks(recording, n, playHostMs);
  const inRange = (fromHost: number, toHost: number) => (frame: number) => frame >= recording.frameAt(fromHost) && frame < recording.frameAt(toHost);
  const before = inRange(beforeFromHostMs, calStartHostMs);
  const after = inRange(afterFromHostMs, afterFromHostMs + afterSec * 1000);
  const rows: string[] = [];
  const beyond: string[] = [];
  const afterFromFrame = recording.frameAt(afterFromHostMs);
  let worstAfter = { p95: 0, max: 0 };
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const offsets = pairwiseOffsetsMs(tracks[a]!, tracks[b]!, loopSec);
      const s0 = stats(offsets.filter((o) => before(o.recordingFrame)).map((o) => o.valueMs));
      const s1 = stats(offsets.filter((o) => after(o.recordingFrame)).map((o) => o.valueMs));
      worstAfter = { p95: Math.max(worstAfter.p95, s1.p95Ms), max: Math.max(worstAfter.max, s1.maxMs) };
      const checked = checkReadingsBeyond(offsets.filter((o) => after(o.recordingFrame)), monos[a]!, monos[b]!, { rateHz: recording.rateHz, thresholdMs: 0.25, fromFrame: afterFromFrame });
      if (checked.length > 0) beyond.push(`S${a}–S${b} ${formatCheckedReadings(checked)}`);
      rows.push(`| S${a}–S${b} | ${s0.samples} | ${f(s0.medianMs)} | ${f(s0.p95Ms)} | ${f(s0.maxMs)} | ${s1.samples} | ${f(s1.medianMs)} | ${f(s1.p50Ms)} | ${f(s1.p95Ms)} | ${f(s1.maxMs)} |`);
    }
  }
  const truth = errorsVsOthersMs(tracks, 1, loopSec);
  const hostMsAt = (frame: number): number => recording.hostMsAt(frame);
  // Each poll against the truth sample nearest it: within a hop (polls every 500 ms sit up to half a hop from one).
  const estimatesIn = (range: (frame: number) => boolean, fromHostMs: number) => compareEstimates(rounds, truth.map((series) => series.filter((s) => range(s.recordingFrame))), hostMsAt, fromHostMs, HOP_SEC * 1000);
  if (traceFile !== undefined) writeFileSync(traceFile, JSON.stringify({ rounds, truth: truth.map((series) => series.map((s) => ({ hostMs: hostMsAt(s.recordingFrame), valueMs: s.valueMs }))), calStartHostMs, calEndHostMs }));
  const met = worstAfter.p95 <= 0.1 && worstAfter.max <= 0.25;
  console.log(
    [
      `### Acoustic calibration, judged from the rendered audio: ${n} speakers (injected clocks ${clocks.map((c) => `${c.offsetMs} ms/${c.ratePpm} ppm`).join(', ')}; hidden output delays ${clocks.map((_, k) => `${hiddenDelayMs(k)}`).join(' / ')} ms)`,
      '',
      `Before: ${beforeSec} s of music before calibrating (once every speaker's output timing had been steady for ${steadySec} s: ${f(waitedMs / 1000, 1)} s of waiting); after: ${afterSec} s from ${settleSec} s after the run. Pair offset = how far apart two speakers are heard (signed median, |·| percentiles), ms.`,
      '',
      '| pair | before windows | before median | before p95 abs | before max abs | after windows | after median | after p50 abs | after p95 abs | after max abs |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `Target after calibration: p95 ≤ 0.1 ms, max ≤ 0.25 ms → ${met ? 'met' : 'MISSED'} (worst pair p95 ${f(worstAfter.p95)} ms, max ${f(worstAfter.max)} ms).`,
      '',
      `After: windows over 0.25 ms apart (s from the start of "after": ms; at most 8 a pair; in brackets the pair read directly from the two channels, without the reference: ms, peak / runner-up): ${beyond.join('; ') || 'none'}.`,
      '',
      `Windows left out as lone correlation outliers (over 1 ms off both neighbours, which agree within 0.2 ms): ${dropped.map((count, k) => `S${k} ${count}`).join(', ')}.`,
      '',
      `Calibration run (${n} speakers): ${f(report.durationMs / 1000, 2)} s from click to report (the last run; ${f((calEndHostMs - calStartHostMs) / 1000, 1)} s for all attempts); ${report.message}`,
      '',
      ...report.passes.map((p, i) => `pass ${i + 1}: noise ${f(p.noiseDbfs, 1)} dBFS, ${f(p.recordedSec, 2)} s recorded, ${p.missingFrames} frames missing, ${p.marks} marks (RMS ${f(p.markRmsMs, 3)} ms), capture ${p.captureRateHz} Hz, its clock ${f(p.clockPpm, 0)} ppm (from the ${p.clockFrom}), probes ${JSON.stringify(p.probes)}`),
      '',
      '| speaker | measured delay ms | correction ms | residual ms | error |',
      '|---|---:|---:|---:|---|',
      ...report.rows.map((r) => `| ${r.name} | ${r.measuredDelayMs === null ? '—' : f(r.measuredDelayMs)} | ${r.correctionMs === null ? '—' : f(r.correctionMs)} | ${r.residualMs === null ? '—' : f(r.residualMs)} | ${r.error ?? ''} |`),
      '',
      formatEstimates(estimatesIn(before, beforeFromHostMs), "Before: the app's estimate vs the rendered truth, each relative to the others (truth − estimate):"),
      '',
      formatEstimates(estimatesIn(after, afterFromHostMs), "After: the app's estimate vs the rendered truth, each relative to the others (truth − estimate):"),
    ].join('\n'),
  );
});
