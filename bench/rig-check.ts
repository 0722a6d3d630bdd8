/**
 * Validation of the audio sync rig WITHOUT the app:
 * - synthetic: the reference delayed by known fractional samples, with noise and gain, must be
 *   recovered by the analysis to < 0.01 ms;
 * - live: N Chromium processes, each on its own PulseAudio sink of one room, start the demo track
 *   with plain Web Audio at a common host-clock instant plus known, deliberately different offsets
 *   (converted through getOutputTimestamp). The analysis of the recording must recover the
 *   injected offsets; the residual is getOutputTimestamp's error per process (plus the rig's).
 */
import { countDiscontinuities, errorsVsOthersMs, pairwiseOffsetsMs } from './playout-compare.js';
import { trackPlayout, type PlayoutWindow } from './playout-analysis.js';
import { disposeAllGuarded } from './process-guard.js';
import { PulseRoom } from './pulse-room.js';
import { ReferenceTrack } from './reference-track.js';
import { prepareRigPage, serveRigPage, startRigPageAt, type PageStartInfo } from './rig-check-page.js';
import { hostNowMs } from './room-recorder.js';
import { percentile } from './stats.js';
import { addNoise, syntheticRecording } from './synthetic-signals.js';
import { launchAudioSpeaker, makeAudioServiceRealtime, type AudioSpeaker } from './sync-rig.js';

/** Injected start offsets, ms (speaker k starts offsetsMs[k] after the common instant). */
export const RIG_OFFSETS_MS = [0, 3, -0.5, 1.2345, -2.1, 0.77] as const;
/** Injected in-context shifts, ms (speaker k plays that much later from the middle of the run on). */
export const RIG_SHIFTS_MS = [1, -2.5, 0.3, 0.0113, 4.2, -0.77] as const;

export interface SyntheticRow {
  readonly delayFrames: number;
  readonly delayMs: number;
  readonly snrDb: number;
  readonly gain: number;
  readonly windows: number;
  readonly meanErrorMs: number;
  readonly maxAbsErrorMs: number;
}

/** Analysis of synthetic recordings (known fractional delays, 10 dB SNR, gain) against `reference` at `rateHz`. */
export function runSyntheticCheck(reference: Float32Array, rateHz: number): SyntheticRow[] {
  const cases = [
    { delayFrames: 0, gain: 1 },
    { delayFrames: 0.37, gain: 0.3 },
    { delayFrames: 1.5, gain: 2 },
    { delayFrames: 144.25, gain: 0.5 },
    { delayFrames: -23.8, gain: 0.1 },
  ];
  return cases.map(({ delayFrames, gain }, i) => {
    const leadSilenceSec = 0.7;
    const trackStartSec = 20 + i;
    const recording = addNoise(syntheticRecording(reference, { rateHz, seconds: 12, leadSilenceSec, trackStartSec, delayFrames, gain }), 10, 17 + i);
    const windows = trackPlayout(reference, recording, { rateHz }).filter((w) => w.trackPositionSec !== null);
    const lead = Math.round(leadSilenceSec * rateHz);
    const errorsMs = windows.map((w) => (w.trackPositionSec! - ((w.recordingFrame - lead - delayFrames) / rateHz + trackStartSec)) * 1000);
    return {
      delayFrames,
      delayMs: (delayFrames / rateHz) * 1000,
      snrDb: 10,
      gain,
      windows: windows.length,
      meanErrorMs: errorsMs.reduce((sum, e) => sum + e, 0) / Math.max(1, errorsMs.length),
      maxAbsErrorMs: Math.max(...errorsMs.map(Math.abs)),
    };
  });
}

export interface RigSpeakerRow {
  readonly speaker: string;
  readonly injectedMs: number;
  readonly page: PageStartInfo;
  readonly lockedWindows: number;
  readonly totalWindows: number;
  /** Jumps > 0.5 ms of the implied start between consecutive windows (underruns). */
  readonly discontinuities: number;
  /** The audio service process was made real-time. */
  readonly realtime: boolean;
  /** In-context shift: injected, and measured (median implied start after − before), ms. */
  readonly shiftInjectedMs: number;
  readonly shiftMeasuredMs: number;
  /** Median of (heard start on the recording's host-time mapping − intended host start), ms. */
  readonly absoluteErrorMs: number;
  /** Error vs the mean of the others, minus the injected difference: p50 / p95 / max of |·|, ms. */
  readonly residualP50Ms: number;
  readonly residualP95Ms: number;
  readonly residualMaxMs: number;
}

export interface RigPairRow {
  readonly pair: string;
  /** Injected (a − b position) = offset_b − offset_a, ms. */
  readonly expectedMs: number;
  readonly recoveredMedianMs: number;
  readonly deviationP95Ms: number;
  readonly deviationMaxMs: number;
  readonly samples: number;
}

export interface RigCheckResult {
  readonly speakers: RigSpeakerRow[];
  readonly pairs: RigPairRow[];
  /** Sinks that had a Chromium stream (pactl list sink-inputs) while playing. */
  readonly activeSinks: string[];
  readonly recordingSec: number;
}

const absSorted = (values: number[]): number[] => values.map(Math.abs).sort((a, b) => a - b);

/** Runs the live rig check (see the module comment). Cleans up everything it started. */
export async function runRigCheck(options: {
  speakers: number;
  seconds: number;
  reference?: ReferenceTrack;
  /** PULSE_LATENCY_MSEC for the browsers (undefined: Chromium's own request). */
  pulseLatencyMs: number | undefined;
  /** Make the audio services real-time (default true). */
  realtime?: boolean;
}): Promise<RigCheckResult> {
  const { speakers: n, seconds, realtime = true } = options;
  const offsetsMs = Array.from({ length: n }, (_, k) => RIG_OFFSETS_MS[k % RIG_OFFSETS_MS.length]! + 10 * Math.floor(k / RIG_OFFSETS_MS.length));
  const track = options.reference ?? new ReferenceTrack();
  const room = await PulseRoom.start({ speakers: n });
  try {
    const site = await serveRigPage(track.prefixWav(seconds + 4));
    const speakers: AudioSpeaker[] = [];
    for (let k = 0; k < n; k++) speakers.push(await launchAudioSpeaker(room, k, options.pulseLatencyMs));
    await Promise.all(speakers.map(async (s) => {
      await s.page.goto(site.origin);
      await prepareRigPage(s.page);
    }));
    const boosted = realtime ? await Promise.all(speakers.map((s) => makeAudioServiceRealtime(s))) : speakers.map(() => []);
    // Let the outputs settle after the priority change (getOutputTimestamp steps otherwise).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const activeSinks = await room.activeSinks();
    const recorder = await room.record();
    const startHostMs = hostNowMs() + 1500;
    const shiftAtSec = Math.round(seconds / 2);
    const shiftsMs = offsetsMs.map((_, k) => RIG_SHIFTS_MS[k % RIG_SHIFTS_MS.length]!);
    const pages = await Promise.all(speakers.map((s, k) => startRigPageAt(s.page, startHostMs + offsetsMs[k]!, { atSec: shiftAtSec, ms: shiftsMs[k]! })));
    const endHostMs = startHostMs + seconds * 1000 + 300;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, endHostMs - hostNowMs())));
    const recording = await recorder.stop();
    await Promise.all(speakers.map((s) => s.close()));
    await site.dispose();

    const rateHz = recording.rateHz;
    const reference = track.monoAt(rateHz, seconds + 4);
    const fromFrame = Math.max(0, Math.round(recording.frameAt(startHostMs - 300)));
    const tracks: PlayoutWindow[][] = speakers.map((_, k) =>
      trackPlayout(reference, recording.speakerMono(k), { rateHz, fromFrame }),
    );
    const shiftHostMs = startHostMs + shiftAtSec * 1000;
    const beforeShift = (frame: number): boolean => recording.hostMsAt(frame) < shiftHostMs - 100;
    const afterShift = (frame: number): boolean => recording.hostMsAt(frame) > shiftHostMs + 100;
    const residuals = errorsVsOthersMs(tracks.map((t) => t.filter((w) => beforeShift(w.recordingFrame)))).map((errors, k) => {
      const others = offsetsMs.filter((_, j) => j !== k);
      const expectedMs = offsetsMs[k]! - others.reduce((sum, d) => sum + d, 0) / others.length;
      return errors.map((e) => e.valueMs - expectedMs);
    });
    const speakerRows = tracks.map((windows, k): RigSpeakerRow => {
      const locked = windows.filter((w) => w.trackPositionSec !== null);
      const impliedStart = (w: PlayoutWindow): number => recording.hostMsAt(w.recordingFrame) - w.trackPositionSec! * 1000 - (startHostMs + offsetsMs[k]!);
      const median = (ws: PlayoutWindow[]): number => percentile(ws.map(impliedStart).sort((a, b) => a - b), 0.5);
      const before = locked.filter((w) => beforeShift(w.recordingFrame));
      const after = locked.filter((w) => afterShift(w.recordingFrame));
      const residual = absSorted(residuals[k]!);
      return {
        speaker: `S${k}`, injectedMs: offsetsMs[k]!, page: pages[k]!, lockedWindows: locked.length, totalWindows: windows.length,
        discontinuities: countDiscontinuities(windows, rateHz), realtime: boosted[k]!.length > 0,
        shiftInjectedMs: shiftsMs[k]!, shiftMeasuredMs: median(after) - median(before),
        absoluteErrorMs: median(before),
        residualP50Ms: percentile(residual, 0.5), residualP95Ms: percentile(residual, 0.95), residualMaxMs: residual.at(-1) ?? NaN,
      };
    });
    const pairs: RigPairRow[] = [];
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const expectedMs = offsetsMs[b]! - offsetsMs[a]!;
        const recovered = pairwiseOffsetsMs(tracks[a]!, tracks[b]!).filter((s) => beforeShift(s.recordingFrame)).map((s) => s.valueMs);
        const deviation = absSorted(recovered.map((v) => v - expectedMs));
        pairs.push({
          pair: `S${a}–S${b}`, expectedMs, recoveredMedianMs: percentile([...recovered].sort((x, y) => x - y), 0.5),
          deviationP95Ms: percentile(deviation, 0.95), deviationMaxMs: deviation.at(-1) ?? NaN, samples: recovered.length,
        });
      }
    }
    return { speakers: speakerRows, pairs, activeSinks, recordingSec: recording.frameCount / rateHz };
  } finally {
    await disposeAllGuarded();
  }
}

const f = (ms: number, digits = 4): string => (Number.isFinite(ms) ? ms.toFixed(digits) : '—');

/** Markdown tables of the synthetic and live checks. */
export function formatRigCheck(synthetic: SyntheticRow[], live: RigCheckResult | null): string {
  const lines = [
    '### Synthetic: reference delayed by known fractional samples, 10 dB SNR (target: max |error| < 0.01 ms)',
    '',
    '| delay (frames) | delay ms | gain | windows | mean error ms | max abs error ms | target |',
    '|---:|---:|---:|---:|---:|---:|---|',
    ...synthetic.map((r) => `| ${r.delayFrames} | ${f(r.delayMs)} | ${r.gain} | ${r.windows} | ${f(r.meanErrorMs, 5)} | ${f(r.maxAbsErrorMs, 5)} | ${r.maxAbsErrorMs < 0.01 ? 'met' : 'MISSED'} |`),
  ];
  if (live !== null) {
    lines.push(
      '',
      `### Live: ${live.speakers.length} Chromium processes, plain Web Audio, ${live.recordingSec.toFixed(1)} s recorded; streams on ${live.activeSinks.join(', ') || 'NO SINK'}`,
      '',
      '| pair | injected (a − b) ms | recovered median ms | p95 abs deviation ms | max abs deviation ms | windows |',
      '|---|---:|---:|---:|---:|---:|',
      ...live.pairs.map((p) => `| ${p.pair} | ${f(p.expectedMs)} | ${f(p.recoveredMedianMs)} | ${f(p.deviationP95Ms)} | ${f(p.deviationMaxMs)} | ${p.samples} |`),
      '',
      'Per process: residual = error vs the mean of the others minus the injected difference (getOutputTimestamp’s relative error);',
      'absolute = heard start on the recording’s host-time mapping − intended host start (includes the rig’s own mapping bias, common to all).',
      '',
      'In-context shift (two sources in one AudioContext, no getOutputTimestamp involved): the rig’s own accuracy on the real audio path.',
      '',
      '| speaker | injected shift ms | measured shift ms | error ms |',
      '|---|---:|---:|---:|',
      ...live.speakers.map((s) => `| ${s.speaker} | ${f(s.shiftInjectedMs)} | ${f(s.shiftMeasuredMs)} | ${f(s.shiftMeasuredMs - s.shiftInjectedMs)} |`),
      '',
      '| speaker | injected ms | rate Hz | isolated | base latency ms | output latency ms | timestamp spread ms | timestamp age ms | locked | jumps¹ | RT | residual p50 ms | residual p95 ms | residual max ms | absolute ms |',
      '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
      ...live.speakers.map(
        (s) =>
          `| ${s.speaker} | ${f(s.injectedMs)} | ${s.page.sampleRateHz} | ${s.page.crossOriginIsolated ? 'yes' : 'no'} | ${f(s.page.baseLatencyMs, 2)} | ${f(s.page.outputLatencyMs, 2)} | ` +
          `${f(s.page.timestampSpreadMs, 3)} | ${f(s.page.timestampAgeMs, 2)} | ${s.lockedWindows}/${s.totalWindows} | ${s.discontinuities} | ${s.realtime ? 'yes' : 'no'} | ${f(s.residualP50Ms)} | ${f(s.residualP95Ms)} | ${f(s.residualMaxMs)} | ${f(s.absoluteErrorMs, 3)} |`,
      ),
      '',
      '¹ jumps > 0.5 ms between consecutive windows; the intended in-context shift counts when it exceeds 0.5 ms.',
    );
  }
  return lines.join('\n');
}
