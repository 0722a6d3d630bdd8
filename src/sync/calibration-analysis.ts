/**
 * One calibration pass analysed: the recording (blocks placed by frame), its timing marks and the
 * slots played → where each speaker's probe arrived. Pure.
 *
 * A pass is refused (not guessed at) when the capture lost frames between the first search range
 * and the last, or its timing marks jump by more than {@link MAX_MARK_RESIDUAL_MS} RMS around the
 * fitted line: both mean the listening device stalled, and its input latency may have changed
 * between one speaker's slot and the next, which would shift their relative offsets.
 *
 * A capture at another rate than the probes' (a 44.1 kHz microphone) is searched through a
 * band-limited copy at {@link PROBE_RATE_HZ} (resample.ts); positions scale by the rates' ratio.
 *
 * The noise floor is measured on the pre-roll (recording before the first search range), as the
 * median RMS of 20 ms blocks, so a click or a word there does not inflate it.
 */
import { assembleRecording, fitFrameTimeMap, type CapturedBlock, type TimingMark } from './calibration-recording.js';
import { locateProbe, ProbeVerdict, type ProbeLocation } from './calibration-locate.js';
import { PROBE_DURATION_MS, PROBE_RATE_HZ, makeProbe } from './calibration-probe.js';
import type { ProbeSlot } from './calibration-plan.js';
import { median } from './median.js';
import { resample } from './resample.js';

/** What the listener captured during one pass. */
export interface PassCapture {
  readonly rateHz: number;
  readonly blocks: readonly CapturedBlock[];
  readonly marks: readonly TimingMark[];
  /** Page-clock ms per shared ms (the room timeline's rate; default 1). */
  readonly pagePerSharedMs?: number;
}

/** Where each slot's probe arrived, by speaker id; or why the pass cannot be analysed. */
export type PassAnalysis =
  | {
      readonly ok: true;
      readonly locations: ReadonlyMap<string, ProbeLocation>;
      readonly noiseRms: number;
      readonly missingFrames: number;
      /** The recording's clock against shared time: ppm fast. */
      readonly clockPpm: number;
      /** Where that came from: the first speaker's two probes, or the timing marks (no anchor heard). */
      readonly clockFrom: 'probes' | 'marks';
      /** RMS of the timing marks around the fit, ms. */
      readonly markRmsMs: number;
    }
  | { readonly ok: false; readonly message: string };

const NOISE_BLOCK_MS = 20;
/**
 * Timing marks scattered more than this (RMS) around their fit mean the capture clock jumped, ms
 * (a busy device's getOutputTimestamp() alone scatters by 1–2 ms).
 */
export const MAX_MARK_RESIDUAL_MS = 4;
/** Message for a pass refused because the listening device stalled. */
export const STALLED_MESSAGE = 'the recording skipped (this device was too busy) — try again';

/** Frames missing from the blocks between frames [from, to) of the assembled recording. */
function missingBetween(blocks: readonly { frame: number; samples: Float32Array }[], firstFrame: number, from: number, to: number): number {
  const covered = new Uint8Array(Math.max(0, Math.ceil(to - from)));
  for (const b of blocks) {
    const start = Math.max(0, b.frame - firstFrame - Math.floor(from));
    const end = Math.min(covered.length, b.frame + b.samples.length - firstFrame - Math.floor(from));
    if (end > start) covered.fill(1, start, end);
  }
  return covered.reduce((sum, v) => sum + (v === 0 ? 1 : 0), 0);
}

/** RMS of each NOISE_BLOCK_MS block of samples[from, to). */
function blockRms(samples: Float32Array, from: number, to: number, rateHz: number): number[] {
  const size = Math.round((NOISE_BLOCK_MS * rateHz) / 1000);
  const out: number[] = [];
  for (let start = Math.max(0, from); start + size <= Math.min(samples.length, to); start += size) {
    let sum = 0;
    for (let i = start; i < start + size; i++) sum += samples[i]! ** 2;
    out.push(Math.sqrt(sum / size));
  }
  return out;
}

/** Lowest capture rate searched: the probes' band needs this (Nyquist above PROBE_HIGH_HZ with room for the filter), Hz. */
export const MIN_CAPTURE_RATE_HZ = 22_050;

/** Locates every slot's probe in the capture (see the module comment). */
export function analyzePass(capture: PassCapture, slots: readonly ProbeSlot[], anchor: ProbeSlot | null = null): PassAnalysis {
  const { rateHz } = capture;
  if (!(rateHz >= MIN_CAPTURE_RATE_HZ && rateHz <= 384_000)) return { ok: false, message: `the microphone recorded at ${rateHz} Hz, a rate calibration cannot use` };
  const recording = assembleRecording(capture.blocks);
  if (recording.samples.length === 0) return { ok: false, message: 'the microphone recorded nothing' };
  const map = fitFrameTimeMap(capture.marks, rateHz, capture.pagePerSharedMs);
  if (map === null) return { ok: false, message: 'the microphone recording has no timing information' };
  const capturePerMs = rateHz / 1000;
  if (map.residualFrames > MAX_MARK_RESIDUAL_MS * capturePerMs) return { ok: false, message: `${STALLED_MESSAGE} (timing marks scattered by ${(map.residualFrames / capturePerMs).toFixed(1)} ms)` };
  const searched = anchor === null ? slots : [...slots, anchor];
  const expectedCapture = searched.map((s) => map.frameAt(s.atSharedMs) - recording.firstFrame);
  const spanFrom = Math.min(...searched.map((s, k) => expectedCapture[k]! + s.search.fromMs * capturePerMs));
  const spanTo = Math.max(...searched.map((s, k) => expectedCapture[k]! + (s.search.toMs + PROBE_DURATION_MS) * capturePerMs));
  const lost = missingBetween(capture.blocks, recording.firstFrame, Math.max(0, spanFrom), Math.min(recording.samples.length, spanTo));
  if (lost > 0) return { ok: false, message: `${STALLED_MESSAGE} (${lost} frames lost)` };
  // Probes are defined at PROBE_RATE_HZ: search a copy of the recording at that rate.
  const samples = rateHz === PROBE_RATE_HZ ? recording.samples : resample(recording.samples, rateHz, PROBE_RATE_HZ);
  const toProbeRate = PROBE_RATE_HZ / rateHz;
  const expected = expectedCapture.map((frame) => frame * toProbeRate);
  const perMs = PROBE_RATE_HZ / 1000;
  const prerollEnd = Math.floor(spanFrom * toProbeRate);
  const preroll = blockRms(samples, 0, prerollEnd, PROBE_RATE_HZ);
  const all = preroll.length >= 3 ? preroll : blockRms(samples, 0, samples.length, PROBE_RATE_HZ).sort((a, b) => a - b).slice(0, 5);
  const noiseRms = all.length > 0 ? median(all) : 0;
  const found = searched.map((slot, k): ProbeLocation => {
    const expectedFrame = expected[k]!;
    const probe = makeProbe(slot.seed);
    const windowEnd = expectedFrame + slot.search.toMs * perMs + probe.length;
    // A search range the recording does not cover cannot be judged: report it as not heard.
    const covered = expectedFrame + slot.search.fromMs * perMs >= 0 && windowEnd <= samples.length;
    return covered
      ? locateProbe({ recording: samples, probe, rateHz: PROBE_RATE_HZ, expectedFrame, searchBeforeMs: -slot.search.fromMs, searchAfterMs: slot.search.toMs, noiseRms })
      : { verdict: ProbeVerdict.notHeard, arrivalFrame: NaN, delayMs: NaN, psr: 0, snrDb: -Infinity, levelDbfs: -Infinity };
  });
  const nominalPerMs = perMs * (capture.pagePerSharedMs ?? 1);
  const anchored = anchor === null ? null : anchoredFramesPerMs(slots[0]!, found[0]!, anchor, found[slots.length]!, nominalPerMs);
  const locations = new Map<string, ProbeLocation>();
  for (const [k, slot] of slots.entries()) locations.set(slot.speakerId, anchored === null ? found[k]! : onAnchorLine(found[k]!, slot, slots[0]!, found[0]!, anchored));
  const clockPpm = ((anchored ?? map.framesPerMs * toProbeRate) / nominalPerMs - 1) * 1e6;
  return { ok: true, locations, noiseRms, missingFrames: recording.missingFrames, clockPpm, clockFrom: anchored === null ? 'marks' : 'probes', markRmsMs: map.residualFrames / capturePerMs };
}

/** The anchor may disagree with the nominal rate by at most this (no audio clock is 0.2 % off: a wrong detection), ppm. */
export const MAX_ANCHOR_PPM = 2_000;

/**
 * Recording frames (at the probe rate) per shared ms, from the first speaker's two probes; null
 * when either was not found with confidence or the result is implausible.
 */
function anchoredFramesPerMs(first: ProbeSlot, firstAt: ProbeLocation, anchor: ProbeSlot, anchorAt: ProbeLocation, nominalPerMs: number): number | null {
  if (firstAt.verdict !== ProbeVerdict.ok || anchorAt.verdict !== ProbeVerdict.ok) return null;
  const perMs = (anchorAt.arrivalFrame - firstAt.arrivalFrame) / (anchor.atSharedMs - first.atSharedMs);
  return Number.isFinite(perMs) && Math.abs(perMs / nominalPerMs - 1) * 1e6 <= MAX_ANCHOR_PPM ? perMs : null;
}

/**
 * A location whose delay is re-measured against the line through the first speaker's arrival with
 * the anchored slope: delay_k = delay_0 + (arrival_k − arrival_0) / slope − (T_k − T_0).
 */
function onAnchorLine(at: ProbeLocation, slot: ProbeSlot, first: ProbeSlot, firstAt: ProbeLocation, framesPerMs: number): ProbeLocation {
  if (!Number.isFinite(at.arrivalFrame)) return at;
  const delayMs = firstAt.delayMs + (at.arrivalFrame - firstAt.arrivalFrame) / framesPerMs - (slot.atSharedMs - first.atSharedMs);
  return { ...at, delayMs };
}
