/**
 * The listener's side of acoustic calibration: one run = open the microphone, a measuring pass,
 * the corrections sent to every speaker heard, a verification pass, the report. Corrections the
 * verification pass cannot check are taken back (each speaker gets the one it had when measured).
 *
 * A verification that finds the speakers within its tolerance but more than
 * {@link REFINE_ABOVE_MS} apart corrects them once more from its own measurements and verifies
 * again: in bench:calibrate a speaker's latency model moved 0.36 ms during the measuring pass, the
 * verification saw it 0.14 ms early, and it played 0.08–0.26 ms early for the next 2 minutes. If
 * that second verification fails, the verified corrections are put back.
 *
 * A pass: every speaker is asked to play its probe at its slot (calibration-plan.ts) starting
 * {@link LEAD_MS} from now (room for the request to arrive and for a Bluetooth output latency);
 * the microphone records until the last search window is over (+ {@link CAPTURE_MARGIN_MS} for the
 * capture's own latency, and until its blocks have arrived); then the pass is analysed (calibration-analysis.ts). Timing marks are
 * converted from page time to shared time with the room's timeline. Speakers a pass could not
 * measure (a refused probe, a glitch, not heard) get one more try in a short pass of their own:
 * on a busy device an output or capture dropout is common and brief, and the relative offsets of
 * passes agree (same microphone stream, same speaker settings).
 */
import type { MicCapture, OpenMicrophone } from '../audio/mic-capture.js';
import { MicError } from '../audio/mic-capture.js';
import { analyzePass } from '../sync/calibration-analysis.js';
import { fitFrameTimeMap } from '../sync/calibration-recording.js';
import type { CalibrateAppliedMessage, CalibrateApplyMessage, CalibrateProbeAckMessage, CalibrateProbeMessage } from '../sync/calibration-messages.js';
import {
  decideCorrections,
  isMeasured,
  passEndSharedMs,
  planAnchor,
  planProbes,
  planVerification,
  summarizeResiduals,
  type CalibrationSpeaker,
  type ResidualSummary,
  type PredictedSpeaker,
  type ProbeSlot,
  type SpeakerMeasurement,
} from '../sync/calibration-plan.js';
import type { Milliseconds } from '../sync/units.js';
import { applyCorrections, predictDelays, restoreCorrections, type Applied } from './calibration-corrections.js';

/** Probes start this long after they are asked for, ms. */
export const LEAD_MS: Milliseconds = 700;
/** Recording continues this long past the last search window, ms. */
export const CAPTURE_MARGIN_MS: Milliseconds = 250;
/** After the pass, wait at most this long for the capture to catch up (a busy page delivers late), ms. */
export const CATCH_UP_LIMIT_MS: Milliseconds = 3_000;
const CATCH_UP_POLL_MS: Milliseconds = 50;
/**
 * A verified spread above this (ms) is corrected once more: the synthetic recordings' error is
 * ≤ 0.05 ms at SNR ≥ 10 dB, and the rig's verifications read 0.04 ms when nothing moved.
 */
export const REFINE_ABOVE_MS: Milliseconds = 0.05;
/** Probe peak amplitude: modest (−10 dBFS peak, ≈ −21 dBFS RMS: a soft hiss; found up to ≈ 20 dB under music). */
export const PROBE_GAIN = 0.3;

/** What a run is doing. */
export const CalibrationPhase = {
  idle: 'idle',
  microphone: 'microphone',
  measuring: 'measuring',
  applying: 'applying',
  verifying: 'verifying',
  done: 'done',
  failed: 'failed',
} as const;
export type CalibrationPhase = (typeof CalibrationPhase)[keyof typeof CalibrationPhase];

/** One speaker's line in the report (ms; null where not measured). */
export interface CalibrationRow extends CalibrationSpeaker {
  readonly measuredDelayMs: Milliseconds | null;
  readonly correctionMs: Milliseconds | null;
  readonly residualMs: Milliseconds | null;
  readonly error: string | null;
}

/** How one pass's recording looked (for support and the benchmark). */
export interface PassDetails {
  /** Noise floor before the probes, dBFS. */
  readonly noiseDbfs: number;
  readonly recordedSec: number;
  readonly missingFrames: number;
  readonly marks: number;
  /** RMS of the timing marks around their fitted line, ms. */
  readonly markRmsMs: number;
  /** The recording's clock against shared time, ppm fast, and what measured it. */
  readonly clockPpm: number;
  readonly clockFrom: 'probes' | 'marks';
  readonly captureRateHz: number;
  /** Per speaker id: detection strength and level of its probe. */
  readonly probes: Readonly<Record<string, { readonly verdict: string; readonly psr: number; readonly snrDb: number; readonly levelDbfs: number; readonly delayMs: number }>>;
}

export interface CalibrationReport {
  /** True when corrections were applied and verified for every speaker. */
  readonly ok: boolean;
  /** The headline: "all speakers within 0.04 ms", or what went wrong. */
  readonly message: string;
  readonly rows: readonly CalibrationRow[];
  /** Verification spread (latest − earliest), ms; null when not verified. */
  readonly spreadMs: Milliseconds | null;
  readonly durationMs: Milliseconds;
  /** The measuring pass, the verification pass and any refining one, each followed by its retry if any (when analysed). */
  readonly passes: readonly PassDetails[];
}

export interface CalibrationRunnerDeps {
  readonly openMicrophone: OpenMicrophone;
  readonly sharedNowMs: () => Milliseconds;
  /** Shared time at page time `perfMs`. */
  readonly perfToSharedMs: (perfMs: Milliseconds) => Milliseconds;
  /** Page time now (performance.now), ms. */
  readonly perfNowMs: () => Milliseconds;
  readonly sleep: (ms: Milliseconds) => Promise<void>;
  /** Sends to a speaker (or this tab) and resolves with its answer; rejects on no answer. */
  requestProbe(speakerId: string, message: CalibrateProbeMessage): Promise<CalibrateProbeAckMessage>;
  requestApply(speakerId: string, message: CalibrateApplyMessage): Promise<CalibrateAppliedMessage>;
  readonly progress: (phase: CalibrationPhase) => void;
}

/** Runs one calibration of `speakers`; never rejects (failures are in the report). */
export async function runCalibration(deps: CalibrationRunnerDeps, speakers: readonly CalibrationSpeaker[], runId: number): Promise<CalibrationReport> {
  const startedMs = deps.perfNowMs();
  const passes: PassDetails[] = [];
  const finish = (ok: boolean, message: string, rows: readonly CalibrationRow[], spreadMs: Milliseconds | null = null): CalibrationReport => {
    deps.progress(ok ? CalibrationPhase.done : CalibrationPhase.failed);
    return { ok, message, rows, spreadMs, durationMs: deps.perfNowMs() - startedMs, passes };
  };
  const blank = speakers.map((s) => ({ ...s, measuredDelayMs: null, correctionMs: null, residualMs: null, error: null }));
  if (speakers.length < 2) return finish(false, 'Calibration needs at least two speakers in the room.', blank);
  deps.progress(CalibrationPhase.microphone);
  let mic: MicCapture;
  try {
    mic = await deps.openMicrophone();
  } catch (error) {
    return finish(false, error instanceof MicError ? error.message : `The microphone could not be started: ${String(error)}`, blank);
  }
  try {
    deps.progress(CalibrationPhase.measuring);
    const run: PassRun = { deps, mic, runId, details: passes };
    const first = await measureWithRetry(run, speakers, 0);
    if (typeof first === 'string') return finish(false, first, blank);
    const decision = decideCorrections(first);
    const failedById = new Map(decision.failures.map((f) => [f.speakerId, f.message]));
    if (decision.corrections.length === 0) return finish(false, decision.message ?? 'Nothing to correct.', blank.map((r) => ({ ...r, error: failedById.get(r.speakerId) ?? null })));
    deps.progress(CalibrationPhase.applying);
    const firstApplied = await applyCorrections(deps, runId, decision.corrections);
    deps.progress(CalibrationPhase.verifying);
    const second = await measureWithRetry(run, speakers, 1, predictDelays(speakers, first, firstApplied));
    const verified = typeof second === 'string' ? null : await refine(run, speakers, second, summarizeResiduals(second), firstApplied);
    const summary = verified?.summary ?? null;
    const applied = verified?.applied ?? firstApplied;
    const residualById = new Map(summary?.residuals.map((r) => [r.speakerId, r.residualMs]) ?? []);
    const rows = speakers.map((s) => {
      const correction = decision.corrections.find((c) => c.speakerId === s.speakerId);
      const apply = applied.get(s.speakerId);
      const error = failedById.get(s.speakerId) ?? apply?.error ?? summary?.failures.find((f) => f.speakerId === s.speakerId)?.message ?? null;
      return {
        ...s,
        measuredDelayMs: correction?.measuredDelayMs ?? null,
        correctionMs: finiteOrNull(apply?.correctionMs),
        residualMs: residualById.get(s.speakerId) ?? null,
        error,
      };
    });
    if (summary === null) {
      // Unverified corrections stay out: in bench:calibrate, one measured during a speaker's
      // underrun (25 ms) left another speaker 24 ms off for good once the underrun was repaired.
      const restored = await restoreCorrections(deps, runId, first, decision.corrections);
      const back = rows.map((r) => (restored.has(r.speakerId) ? { ...r, correctionMs: finiteOrNull(restored.get(r.speakerId)?.correctionMs) } : r));
      return finish(false, `Verification failed (${String(second)}): the previous corrections are back in place — try again`, back);
    }
    const allGood = decision.failures.length === 0 && summary.ok && rows.every((r) => r.error === null);
    const message = decision.message === null ? summary.message : `${summary.message}. ${decision.message}`;
    return finish(allGood, message, rows, Number.isFinite(summary.spreadMs) ? summary.spreadMs : null);
  } finally {
    mic.dispose();
  }
}

/**
 * After a verification within tolerance but over {@link REFINE_ABOVE_MS}, with every speaker
 * measured: corrections from the verification's own measurements, applied and verified again.
 * Returns the corrections in effect and the verification that holds for them (the first one if
 * the refinement was not made, or its verification failed and the first corrections are back).
 */
async function refine(run: PassRun, speakers: readonly CalibrationSpeaker[], verified: readonly SpeakerMeasurement[], summary: ResidualSummary, applied: Applied): Promise<{ applied: Applied; summary: ResidualSummary }> {
  const kept = { applied, summary };
  const allApplied = [...applied.values()].every((a) => a.error === null && Number.isFinite(a.correctionMs));
  if (!summary.ok || summary.spreadMs <= REFINE_ABOVE_MS || !allApplied || applied.size !== speakers.length) return kept;
  const decision = decideCorrections(verified);
  if (decision.failures.length > 0 || decision.corrections.length !== speakers.length) return kept;
  const { deps, runId } = run;
  deps.progress(CalibrationPhase.applying);
  const refined = await applyCorrections(deps, runId, decision.corrections);
  deps.progress(CalibrationPhase.verifying);
  const again = await measureWithRetry(run, speakers, 2, predictDelays(speakers, verified, refined));
  const second = typeof again === 'string' ? null : summarizeResiduals(again);
  const confirmed = [...refined.values()].every((a) => a.error === null);
  if (second !== null && second.ok && confirmed) return { applied: refined, summary: second };
  return { applied: await restoreCorrections(deps, runId, verified, decision.corrections), summary };
}

/** A correction to show: null when unknown (not applied, or not confirmed). */
function finiteOrNull(ms: Milliseconds | undefined): Milliseconds | null {
  return ms !== undefined && Number.isFinite(ms) ? ms : null;
}

/** What every pass of one run shares; `details` collects each pass's diagnostics. */
interface PassRun {
  readonly deps: CalibrationRunnerDeps;
  readonly mic: MicCapture;
  readonly runId: number;
  readonly details: PassDetails[];
}

/**
 * A pass, and a second try for the speakers it could not measure (with full search ranges: a
 * verification's narrow range misses a speaker that moved since it was measured).
 */
async function measureWithRetry(run: PassRun, speakers: readonly CalibrationSpeaker[], pass: number, predicted: readonly PredictedSpeaker[] | null = null): Promise<SpeakerMeasurement[] | string> {
  const plan: PlanSlots = predicted === null ? (startMs, seed) => planProbes(speakers, startMs, seed) : (startMs, seed) => planVerification(predicted, startMs, seed);
  let first = await measurePass(run, plan, 2 * pass);
  // A stalled recording: the whole pass once more.
  if (typeof first === 'string') first = await measurePass(run, plan, 2 * pass + 1);
  if (typeof first === 'string') return first;
  const missed = first.filter((m) => !isMeasured(m)).map((m) => ({ speakerId: m.speakerId, name: m.name }));
  if (missed.length === 0) return first;
  const again = await measurePass(run, (startMs, seed) => planProbes(missed, startMs, seed), 2 * pass + 1);
  if (typeof again === 'string') return first;
  return first.map((m) => again.find((a) => a.speakerId === m.speakerId && isMeasured(a)) ?? m);
}

/** The slots of a pass whose first probe plays at `startMs` (shared), with seeds from `runSeed`. */
type PlanSlots = (startMs: Milliseconds, runSeed: number) => ProbeSlot[];

/** One pass of the slots `plan` makes: per speaker, its measurement; or why the pass could not be analysed. */
async function measurePass(run: PassRun, plan: PlanSlots, pass: number): Promise<SpeakerMeasurement[] | string> {
  const { deps, mic, runId, details } = run;
  // By frame and time, not index: the capture drops its oldest blocks on long runs.
  const fromFrame = mic.blocks().at(-1)?.frame ?? Number.NEGATIVE_INFINITY;
  const fromPerfMs = deps.perfNowMs();
  const slots = plan(deps.sharedNowMs() + LEAD_MS, runId * 6 + pass);
  const anchor = planAnchor(slots);
  const played = anchor === null ? slots : [...slots, anchor];
  const acks = await Promise.all(
    played.map((slot) =>
      deps
        .requestProbe(slot.speakerId, { type: 'calibrate-probe', runId, seed: slot.seed, atSharedMs: slot.atSharedMs, gain: PROBE_GAIN })
        .catch((error: unknown): CalibrateProbeAckMessage => ({ type: 'calibrate-probe-ack', runId, seed: slot.seed, error: `no answer: ${error instanceof Error ? error.message : String(error)}`, trimMs: 0, correctionMs: 0 })),
    ),
  );
  const endMs = passEndSharedMs(played) + CAPTURE_MARGIN_MS;
  await deps.sleep(Math.max(0, endMs - deps.sharedNowMs()));
  const marksNow = () => mic.marks().filter((m) => m.perfMs >= fromPerfMs - 1000).map((m) => ({ frame: m.frame, sharedMs: deps.perfToSharedMs(m.perfMs) }));
  // Wait until the capture holds the frames rendered at the end of the pass.
  for (const giveUpMs = deps.sharedNowMs() + CATCH_UP_LIMIT_MS; deps.sharedNowMs() < giveUpMs; ) {
    const map = fitFrameTimeMap(marksNow(), mic.rateHz, 1);
    const last = mic.blocks().at(-1);
    if (map !== null && last !== undefined && last.frame + last.samples.length >= map.frameAt(endMs)) break;
    await deps.sleep(CATCH_UP_POLL_MS);
  }
  const marks = marksNow();
  const blocks = mic.blocks().filter((b) => b.frame > fromFrame);
  const nowPerf = deps.perfNowMs();
  const pagePerSharedMs = 1000 / (deps.perfToSharedMs(nowPerf + 1000) - deps.perfToSharedMs(nowPerf));
  const anchorPlayed = anchor !== null && acks[slots.length]!.error === null;
  const analysis = analyzePass({ rateHz: mic.rateHz, blocks, marks, pagePerSharedMs }, slots, anchorPlayed ? anchor : null);
  if (!analysis.ok) return analysis.message;
  const probes = Object.fromEntries(
    [...analysis.locations].map(([id, l]) => [id, { verdict: l.verdict, psr: l.psr, snrDb: l.snrDb, levelDbfs: l.levelDbfs, delayMs: l.delayMs }]),
  );
  details.push({
    noiseDbfs: analysis.noiseRms > 0 ? 20 * Math.log10(analysis.noiseRms) : -Infinity,
    recordedSec: blocks.reduce((sum, b) => sum + b.samples.length, 0) / mic.rateHz,
    missingFrames: analysis.missingFrames,
    marks: marks.length,
    markRmsMs: analysis.markRmsMs,
    clockPpm: analysis.clockPpm,
    clockFrom: analysis.clockFrom,
    captureRateHz: mic.rateHz,
    probes,
  });
  return slots.map((slot, k) => {
    const ack = acks[k]!;
    const played = ack.error === null;
    return {
      speakerId: slot.speakerId,
      name: slot.name,
      location: played ? (analysis.locations.get(slot.speakerId) ?? null) : null,
      playError: ack.error,
      trimMs: ack.trimMs,
      correctionMs: ack.correctionMs,
    };
  });
}
