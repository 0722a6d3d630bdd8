/**
 * One calibration pass analysed: the recording (blocks placed by frame), its timing marks and the
 * slots played → where each speaker's probe arrived. Pure.
 *
 * A pass is refused (not guessed at) when the capture lost frames between the first search range
 * and the last, or its timing marks jump by more than {@link MAX_MARK_RESIDUAL_MS} RMS around the
 * fitted line: both mean the listening device stalled, and its input latency may have changed
 * between one speaker's slot and the next, which would shift their relative offsets.
 *
 * The noise floor is measured on the pre-roll (recording before the first search range), as the
 * median RMS of 20 ms blocks, so a click or a word there does not inflate it.
 */
import { assembleRecording, fitFrameTimeMap, type CapturedBlock, type TimingMark } from './calibration-recording.js';
import { locateProbe, ProbeVerdict, type ProbeLocation } from './calibration-locate.js';
import { PROBE_DURATION_MS, PROBE_RATE_HZ, makeProbe } from './calibration-probe.js';
import { SEARCH_AFTER_MS, SEARCH_BEFORE_MS, type ProbeSlot } from './calibration-plan.js';
import { median } from './median.js';

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
  | { readonly ok: true; readonly locations: ReadonlyMap<string, ProbeLocation>; readonly noiseRms: number; readonly missingFrames: number }
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

/** Locates every slot's probe in the capture (see the module comment). */
export function analyzePass(capture: PassCapture, slots: readonly ProbeSlot[]): PassAnalysis {
  if (capture.rateHz !== PROBE_RATE_HZ) return { ok: false, message: `the microphone recorded at ${capture.rateHz} Hz instead of ${PROBE_RATE_HZ} Hz` };
  const recording = assembleRecording(capture.blocks);
  if (recording.samples.length === 0) return { ok: false, message: 'the microphone recorded nothing' };
  const map = fitFrameTimeMap(capture.marks, capture.rateHz, capture.pagePerSharedMs);
  if (map === null) return { ok: false, message: 'the microphone recording has no timing information' };
  const perMs = capture.rateHz / 1000;
  if (map.residualFrames > MAX_MARK_RESIDUAL_MS * perMs) return { ok: false, message: `${STALLED_MESSAGE} (timing marks scattered by ${(map.residualFrames / perMs).toFixed(1)} ms)` };
  const expected = slots.map((s) => map.frameAt(s.atSharedMs) - recording.firstFrame);
  const spanFrom = Math.min(...expected) - SEARCH_BEFORE_MS * perMs;
  const spanTo = Math.max(...expected) + (SEARCH_AFTER_MS + PROBE_DURATION_MS) * perMs;
  const lost = missingBetween(capture.blocks, recording.firstFrame, Math.max(0, spanFrom), Math.min(recording.samples.length, spanTo));
  if (lost > 0) return { ok: false, message: `${STALLED_MESSAGE} (${lost} frames lost)` };
  const prerollEnd = Math.floor(Math.min(...expected) - SEARCH_BEFORE_MS * perMs);
  const preroll = blockRms(recording.samples, 0, prerollEnd, capture.rateHz);
  const all = preroll.length >= 3 ? preroll : blockRms(recording.samples, 0, recording.samples.length, capture.rateHz).sort((a, b) => a - b).slice(0, 5);
  const noiseRms = all.length > 0 ? median(all) : 0;
  const locations = new Map<string, ProbeLocation>();
  for (const [k, slot] of slots.entries()) {
    const expectedFrame = expected[k]!;
    const windowEnd = expectedFrame + (SEARCH_AFTER_MS * perMs) + makeProbe(slot.seed).length;
    // A search range the recording does not cover cannot be judged: report it as not heard.
    const covered = expectedFrame - SEARCH_BEFORE_MS * perMs >= 0 && windowEnd <= recording.samples.length;
    locations.set(
      slot.speakerId,
      covered
        ? locateProbe({ recording: recording.samples, probe: makeProbe(slot.seed), rateHz: capture.rateHz, expectedFrame, searchBeforeMs: SEARCH_BEFORE_MS, searchAfterMs: SEARCH_AFTER_MS, noiseRms })
        : { verdict: ProbeVerdict.notHeard, arrivalFrame: NaN, delayMs: NaN, psr: 0, snrDb: -Infinity, levelDbfs: -Infinity },
    );
  }
  return { ok: true, locations, noiseRms, missingFrames: recording.missingFrames };
}
