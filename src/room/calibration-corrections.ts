/**
 * Corrections from the listener's side of a calibration run: sending them to the speakers (and
 * back), and where each speaker should then be heard.
 */
import type { CalibrationRunnerDeps } from './calibration-runner.js';
import { isMeasured, type CalibrationSpeaker, type PredictedSpeaker, type SpeakerCorrection, type SpeakerMeasurement } from '../sync/calibration-plan.js';
import type { Milliseconds } from '../sync/units.js';

/** Each speaker's answer to its correction: the correction in effect (NaN: unconfirmed), or why there was none. */
export type Applied = ReadonlyMap<string, { readonly correctionMs: Milliseconds; readonly error: string | null }>;

/** Sends each speaker its correction; the answers (or why there was none) by speaker id. */
export async function applyCorrections(deps: Pick<CalibrationRunnerDeps, 'requestApply'>, runId: number, corrections: readonly SpeakerCorrection[]): Promise<Applied> {
  const applied = new Map<string, { correctionMs: Milliseconds; error: string | null }>();
  await Promise.all(
    corrections.map(async (c) => {
      try {
        const answer = await deps.requestApply(c.speakerId, { type: 'calibrate-apply', runId, correctionMs: c.correctionMs });
        applied.set(c.speakerId, { correctionMs: answer.correctionMs, error: answer.error });
      } catch (error) {
        applied.set(c.speakerId, { correctionMs: NaN, error: `${c.name} did not confirm the correction (${error instanceof Error ? error.message : String(error)})` });
      }
    }),
  );
  return applied;
}

/**
 * Sends every corrected speaker the correction it had when it was measured. Returns what each
 * confirmed by speaker id (NaN, with the speaker named, where one did not confirm).
 */
export async function restoreCorrections(
  deps: Pick<CalibrationRunnerDeps, 'requestApply'>,
  runId: number,
  measured: readonly SpeakerMeasurement[],
  corrections: readonly SpeakerCorrection[],
): Promise<Applied> {
  const restored = new Map<string, { correctionMs: Milliseconds; error: string | null }>();
  await Promise.all(
    corrections.map(async (c) => {
      const previousMs = measured.find((m) => m.speakerId === c.speakerId)?.correctionMs ?? 0;
      try {
        const answer = await deps.requestApply(c.speakerId, { type: 'calibrate-apply', runId, correctionMs: previousMs });
        restored.set(c.speakerId, { correctionMs: answer.correctionMs, error: null });
      } catch {
        restored.set(c.speakerId, { correctionMs: Number.NaN, error: `${c.name} did not confirm its previous correction back` });
      }
    }),
  );
  return restored;
}

/**
 * Where each speaker should be heard in the next (verifying) pass, from its latest measurement and
 * its change of correction since; null unless every speaker was measured and confirmed it.
 */
export function predictDelays(
  speakers: readonly CalibrationSpeaker[],
  measured: readonly SpeakerMeasurement[],
  applied: ReadonlyMap<string, { readonly correctionMs: Milliseconds }>,
): PredictedSpeaker[] | null {
  const predicted = speakers.map((s) => {
    const m = measured.find((x) => x.speakerId === s.speakerId);
    const nowMs = applied.get(s.speakerId)?.correctionMs ?? m?.correctionMs;
    return m !== undefined && isMeasured(m) && nowMs !== undefined ? { ...s, delayMs: m.location!.delayMs + (nowMs - m.correctionMs) } : null;
  });
  return predicted.every((p) => p !== null && Number.isFinite(p.delayMs)) ? (predicted as PredictedSpeaker[]) : null;
}
