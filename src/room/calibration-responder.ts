/**
 * A speaker's side of acoustic calibration: plays the probes a listener asks for (on the shared
 * timeline, through the engine's own output compensation) and applies and persists the
 * corrections it is sent. Requests are untrusted: the probe time must lie within the next
 * {@link MAX_PROBE_AHEAD_MS}, at most {@link MAX_PENDING_PROBES} probes may be scheduled at once,
 * and corrections are bounded by the codec (calibration-messages.ts).
 */
import { makeProbe, PROBE_RATE_HZ } from '../sync/calibration-probe.js';
import type {
  CalibrateAppliedMessage,
  CalibrateApplyMessage,
  CalibrateProbeAckMessage,
  CalibrateProbeMessage,
} from '../sync/calibration-messages.js';
import type { Milliseconds, Seconds } from '../sync/units.js';

/** What the responder needs from the speaker engine (SpeakerEngine implements it). */
export interface ProbePlayer {
  playProbe(samples: Float32Array<ArrayBuffer>, sampleRateHz: number, atSharedMs: Milliseconds, gain: number): Seconds | null;
  setCorrectionMs(correctionMs: Milliseconds): void;
  readonly calibrationCorrectionMs: Milliseconds;
  report(): { readonly trimMs: Milliseconds };
}

/** A probe may be asked for at most this far ahead, ms. */
export const MAX_PROBE_AHEAD_MS: Milliseconds = 10_000;
/** At most this many probes scheduled and not yet over. */
export const MAX_PENDING_PROBES = 8;
/**
 * An engine whose output timing is momentarily not ready refuses probes; they are retried this
 * often until {@link RETRY_CUTOFF_MS} before the probe's time, ms.
 */
export const RETRY_EVERY_MS: Milliseconds = 40;
export const RETRY_CUTOFF_MS: Milliseconds = 150;

export interface CalibrationResponderOptions {
  /** Null on a member without a speaker (a remote): it refuses probes. */
  readonly player: ProbePlayer | null;
  /** Shared time now, ms. */
  readonly sharedNowMs: () => Milliseconds;
  /** Persists the correction for the current output route. */
  readonly persist: (correctionMs: Milliseconds) => Promise<void>;
  /** Told after every applied correction. */
  readonly onApplied?: (correctionMs: Milliseconds) => void;
}

export class CalibrationResponder {
  private pending: Milliseconds[] = [];

  constructor(private readonly options: CalibrationResponderOptions) {}

  /** Schedules the probe if it can (retrying while the output is not ready); the answer says so (or why not). */
  async probe(request: CalibrateProbeMessage): Promise<CalibrateProbeAckMessage> {
    const { player, sharedNowMs } = this.options;
    const answer = (error: string | null): CalibrateProbeAckMessage => ({
      type: 'calibrate-probe-ack',
      runId: request.runId,
      seed: request.seed,
      error,
      trimMs: player?.report().trimMs ?? 0,
      correctionMs: player?.calibrationCorrectionMs ?? 0,
    });
    if (player === null) return answer('this member is not a speaker');
    const nowMs = sharedNowMs();
    this.pending = this.pending.filter((endMs) => endMs > nowMs);
    if (request.atSharedMs < nowMs || request.atSharedMs > nowMs + MAX_PROBE_AHEAD_MS) return answer('the probe time is not within the next 10 s');
    if (this.pending.length >= MAX_PENDING_PROBES) return answer('too many probes at once');
    const samples = makeProbe(request.seed);
    let when = player.playProbe(samples, PROBE_RATE_HZ, request.atSharedMs, request.gain);
    while (when === null && sharedNowMs() + RETRY_EVERY_MS < request.atSharedMs - RETRY_CUTOFF_MS) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
      when = player.playProbe(samples, PROBE_RATE_HZ, request.atSharedMs, request.gain);
    }
    if (when === null) return answer('its sound is not running or not ready — tap the page on that speaker');
    this.pending.push(request.atSharedMs + (samples.length / PROBE_RATE_HZ) * 1000);
    return answer(null);
  }

  /** Applies the correction at once (no restart of the music) and persists it for this route. */
  async apply(request: CalibrateApplyMessage): Promise<CalibrateAppliedMessage> {
    const { player } = this.options;
    if (player === null) return { type: 'calibrate-applied', runId: request.runId, correctionMs: 0, error: 'this member is not a speaker' };
    player.setCorrectionMs(request.correctionMs);
    this.options.onApplied?.(player.calibrationCorrectionMs);
    let error: string | null = null;
    try {
      await this.options.persist(player.calibrationCorrectionMs);
    } catch (cause) {
      error = `applied, but could not be saved: ${cause instanceof Error ? cause.message : String(cause)}`.slice(0, 200);
    }
    return { type: 'calibrate-applied', runId: request.runId, correctionMs: player.calibrationCorrectionMs, error };
  }
}
