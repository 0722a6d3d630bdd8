/**
 * Calibration runs: when each speaker plays its probe, what the recording says about each, and
 * which corrections follow. Pure.
 *
 * Schedule: speakers play one after another, each with its own probe code, {@link PROBE_STAGGER_MS}
 * apart, so that each speaker's search range ({@link SEARCH_BEFORE_MS} before to
 * {@link SEARCH_AFTER_MS} after its expected arrival: Bluetooth adds 100–300 ms, the microphone
 * its own input latency) holds only its own probe. Overlapping probes (staggered by less) were
 * tried: a speaker 18 dB louder than its neighbour then raises the neighbour's correlation floor
 * past detection. Distinct codes still keep a speaker far later than its range from being
 * mistaken for the next one. The recording's clock against shared time is measured by an anchor
 * ({@link planAnchor}: the first speaker once more after the last), since its skew matters over
 * the ≈ 0.8 s per speaker: a 100 ppm error costs 0.08 ms per slot. The timing marks'
 * fit (calibration-recording.ts, ±50 ppm prior) only places the search ranges, and stands in
 * when the anchor is not heard. bench:calibrate's microphone ran 510–780 ppm fast by its anchors,
 * and the marks' fit had left 0.06–0.13 ms between speakers after calibrating.
 *
 * Decision: speaker k's measured delay d_k (arrival − expected) includes its output error, its
 * calibration correction and trim in force, and the microphone's latency (common to all). The
 * manual trim stays a deliberate override, so D_k = d_k − trim_k is compared. Every speaker is
 * aligned to the LATEST one: the new correction c'_k = c_k + (max D − D_k) only ever delays, which
 * can always be scheduled (playing earlier than the output can deliver cannot), and a slow
 * Bluetooth speaker cannot be hurried anyway. Corrections are then shifted together so the
 * smallest is 0, which keeps repeated calibrations from creeping later (only relative values
 * matter). Speakers whose probe failed keep their correction and are named in the messages.
 */
import { PROBE_DURATION_MS } from './calibration-probe.js';
import { ProbeVerdict, type ProbeLocation } from './calibration-locate.js';
import { median } from './median.js';
import type { Milliseconds } from './units.js';

/** Search range around each expected arrival, ms. */
export const SEARCH_BEFORE_MS: Milliseconds = 50;
export const SEARCH_AFTER_MS: Milliseconds = 550;
/** Probes start this far apart (windows, probe and 40 ms of reverberation never overlap), ms. */
export const PROBE_STAGGER_MS: Milliseconds = SEARCH_BEFORE_MS + PROBE_DURATION_MS + SEARCH_AFTER_MS + 40;
/** A verification spread above this means the correction did not take (something changed meanwhile), ms. */
export const VERIFY_TOLERANCE_MS: Milliseconds = 0.5;
/** Largest |correction| a speaker accepts, ms. */
export const MAX_CORRECTION_MS: Milliseconds = 1000;

/** A speaker taking part in a run. */
export interface CalibrationSpeaker {
  readonly speakerId: string;
  readonly name: string;
}

/** Where a probe is searched: delays (arrival − expected arrival) from `fromMs` to `toMs`, ms. */
export interface SearchRange {
  readonly fromMs: Milliseconds;
  readonly toMs: Milliseconds;
}

/** The range of a first measurement: Bluetooth-wide. */
export const FULL_SEARCH: SearchRange = { fromMs: -SEARCH_BEFORE_MS, toMs: SEARCH_AFTER_MS };
/** A verification searches this far either side of the delay it predicts, ms. */
export const VERIFY_SEARCH_MS: Milliseconds = 40;
/** Verification probes arrive this far apart: range, probe and 40 ms of reverberation never overlap, ms. */
export const VERIFY_STAGGER_MS: Milliseconds = 2 * VERIFY_SEARCH_MS + PROBE_DURATION_MS + 40;

/** When and what one speaker plays, and where the listener looks for it. */
export interface ProbeSlot extends CalibrationSpeaker {
  readonly seed: number;
  readonly atSharedMs: Milliseconds;
  readonly search: SearchRange;
}

const seedOf = (runSeed: number, k: number): number => ((runSeed >>> 0) * 64 + k) % 0x1_0000_0000;

/** Slots for the speakers, the first at `startSharedMs`, full search ranges; seeds distinct within the run. */
export function planProbes(speakers: readonly CalibrationSpeaker[], startSharedMs: Milliseconds, runSeed: number): ProbeSlot[] {
  return speakers.map((s, k) => ({ ...s, seed: seedOf(runSeed, k), atSharedMs: startSharedMs + k * PROBE_STAGGER_MS, search: FULL_SEARCH }));
}

/** A speaker whose delay in the next pass is predicted (its last measured delay plus its change of correction), ms. */
export interface PredictedSpeaker extends CalibrationSpeaker {
  readonly delayMs: Milliseconds;
}

/**
 * Verification slots: each speaker searched only ±{@link VERIFY_SEARCH_MS} around its predicted
 * delay, so arrivals can come {@link VERIFY_STAGGER_MS} apart instead of {@link PROBE_STAGGER_MS}
 * (a pass of 4 speakers and the anchor: 1.4 s of arrivals instead of 4 s). Each speaker plays its
 * predicted delay before its arrival slot, none before `startSharedMs`.
 */
export function planVerification(speakers: readonly PredictedSpeaker[], startSharedMs: Milliseconds, runSeed: number): ProbeSlot[] {
  const firstArrivalMs = startSharedMs + Math.max(0, ...speakers.map((s) => s.delayMs));
  return speakers.map((s, k) => ({
    speakerId: s.speakerId,
    name: s.name,
    seed: seedOf(runSeed, k),
    atSharedMs: firstArrivalMs + k * VERIFY_STAGGER_MS - s.delayMs,
    search: { fromMs: s.delayMs - VERIFY_SEARCH_MS, toMs: s.delayMs + VERIFY_SEARCH_MS },
  }));
}

/** The middle of a slot's search range: where its probe should arrive, shared ms. */
const arrivalOf = (slot: ProbeSlot): Milliseconds => slot.atSharedMs + (slot.search.fromMs + slot.search.toMs) / 2;

/**
 * The pass's anchor: the first speaker's probe once more (its own seed), one stagger after the
 * last slot; null without slots. Its spacing from the first slot in the recording measures the
 * recording's clock against shared time with the speaker's own output, which plays on the shared
 * timeline, so the listener's audio clock (its rate unknown, its timing marks noisy) drops out of
 * the relative delays (see calibration-analysis.ts). Seeds stay distinct from the slots' for up to
 * 63 speakers.
 */
export function planAnchor(slots: readonly ProbeSlot[]): ProbeSlot | null {
  const first = slots[0];
  if (first === undefined) return null;
  const full = first.search.toMs - first.search.fromMs > 2 * VERIFY_SEARCH_MS;
  const atArrivalMs = Math.max(...slots.map(arrivalOf)) + (full ? PROBE_STAGGER_MS : VERIFY_STAGGER_MS);
  return { ...first, seed: (first.seed + slots.length) % 0x1_0000_0000, atSharedMs: first.atSharedMs + atArrivalMs - arrivalOf(first) };
}

/** Shared time after which every slot's search range has been recorded, ms. */
export function passEndSharedMs(slots: readonly ProbeSlot[]): Milliseconds {
  return Math.max(...slots.map((s) => s.atSharedMs + s.search.toMs)) + PROBE_DURATION_MS;
}

/** What one speaker reported and what the recording said about it in one pass. */
export interface SpeakerMeasurement extends CalibrationSpeaker {
  /** Null when the speaker did not (confirm it would) play its probe; see `playError`. */
  readonly location: ProbeLocation | null;
  readonly playError: string | null;
  /** The speaker's trim and calibration correction while it played the probe, ms. */
  readonly trimMs: Milliseconds;
  readonly correctionMs: Milliseconds;
}

/** A speaker that could not be measured, with the words to show. */
export interface SpeakerFailure extends CalibrationSpeaker {
  readonly message: string;
}

/** The new correction of one measured speaker. */
export interface SpeakerCorrection extends CalibrationSpeaker {
  /** How much later than the earliest speaker it was heard (trim excluded), ms. */
  readonly measuredDelayMs: Milliseconds;
  /** Its new calibration correction (absolute, ≥ 0), ms. */
  readonly correctionMs: Milliseconds;
}

export interface CorrectionDecision {
  /** Empty when fewer than two speakers were measured (nothing to align). */
  readonly corrections: readonly SpeakerCorrection[];
  readonly failures: readonly SpeakerFailure[];
  /** A sentence for the user when something failed or nothing can be applied; null otherwise. */
  readonly message: string | null;
}

/** Why a probe failed, in words naming the speaker. */
export function failureMessage(name: string, location: ProbeLocation | null, playError: string | null): string {
  if (location === null) return `${name} couldn't play the calibration sound${playError === null ? '' : ` (${playError})`}`;
  switch (location.verdict) {
    case ProbeVerdict.notHeard:
      return `couldn't hear ${name} — turn it up or move closer`;
    case ProbeVerdict.tooNoisy:
      return `too much noise to hear ${name} — make the room quieter or move closer`;
    case ProbeVerdict.clipped:
      return `${name} is too loud for the microphone — turn it down or move the microphone away`;
    case ProbeVerdict.ambiguous:
      return `couldn't tell ${name}'s sound from echoes or other sounds — move closer to it`;
    case ProbeVerdict.glitch:
      return `the recording skipped while ${name} played — try again`;
    default:
      return `${name} was heard`;
  }
}

/** Whether the pass measured this speaker (its probe was played and located with confidence). */
export const isMeasured = (m: SpeakerMeasurement): boolean => m.location !== null && m.location.verdict === ProbeVerdict.ok && Number.isFinite(m.location.delayMs);
const measured = isMeasured;

function split(measurements: readonly SpeakerMeasurement[]): { good: SpeakerMeasurement[]; failures: SpeakerFailure[] } {
  const good = measurements.filter(measured);
  const failures = measurements
    .filter((m) => !measured(m))
    .map((m) => ({ speakerId: m.speakerId, name: m.name, message: failureMessage(m.name, m.location, m.playError) }));
  return { good, failures };
}

/** Trim-free delay D_k of a measured speaker, ms. */
const untrimmedDelay = (m: SpeakerMeasurement): Milliseconds => m.location!.delayMs - m.trimMs;

/** New corrections from one pass (see the module comment). */
export function decideCorrections(measurements: readonly SpeakerMeasurement[]): CorrectionDecision {
  const { good, failures } = split(measurements);
  const failureText = failures.map((f) => f.message).join('; ');
  if (good.length < 2) {
    const reason = measurements.length < 2 ? 'calibration needs at least two speakers' : 'fewer than two speakers were heard: nothing to align';
    return { corrections: [], failures, message: failureText === '' ? reason : `${failureText} (${reason})` };
  }
  const delays = good.map(untrimmedDelay);
  const latest = Math.max(...delays);
  const earliest = Math.min(...delays);
  const totals = good.map((m, i) => m.correctionMs + (latest - delays[i]!));
  const shift = Math.min(...totals);
  const corrections = good.map((m, i) => ({
    speakerId: m.speakerId,
    name: m.name,
    measuredDelayMs: delays[i]! - earliest,
    correctionMs: Math.min(MAX_CORRECTION_MS, totals[i]! - shift),
  }));
  return { corrections, failures, message: failureText === '' ? null : `${failureText} — no correction applied to ${failures.map((f) => f.name).join(', ')}` };
}

/** One speaker's residual after applying the corrections: its delay against the median of the others, ms. */
export interface SpeakerResidual extends CalibrationSpeaker {
  readonly residualMs: Milliseconds;
}

export interface ResidualSummary {
  readonly residuals: readonly SpeakerResidual[];
  /** Latest minus earliest speaker (trim excluded), ms; NaN when fewer than two were measured. */
  readonly spreadMs: Milliseconds;
  readonly failures: readonly SpeakerFailure[];
  /** Every speaker heard and within {@link VERIFY_TOLERANCE_MS}. */
  readonly ok: boolean;
  /** "all speakers within 0.08 ms", or what failed. */
  readonly message: string;
}

/** Summary of a verification pass. */
export function summarizeResiduals(measurements: readonly SpeakerMeasurement[]): ResidualSummary {
  const { good, failures } = split(measurements);
  const delays = good.map(untrimmedDelay);
  const centre = delays.length > 0 ? median(delays) : NaN;
  const residuals = good.map((m, i) => ({ speakerId: m.speakerId, name: m.name, residualMs: delays[i]! - centre }));
  const spreadMs = good.length >= 2 ? Math.max(...delays) - Math.min(...delays) : NaN;
  const within = !Number.isFinite(spreadMs)
    ? 'verification needs two speakers heard'
    : spreadMs > VERIFY_TOLERANCE_MS
      ? `speakers still ${spreadMs.toFixed(2)} ms apart after correcting (something changed while calibrating) — try again`
      : `${failures.length === 0 ? 'all speakers' : `${good.length} speakers`} within ${spreadMs.toFixed(2)} ms`;
  const message = failures.length === 0 ? within : `${within}; ${failures.map((f) => f.message).join('; ')}`;
  return { residuals, spreadMs, failures, ok: failures.length === 0 && spreadMs <= VERIFY_TOLERANCE_MS, message };
}
