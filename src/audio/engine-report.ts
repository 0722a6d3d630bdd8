/**
 * The speaker engine's playout report from a snapshot of its state: the phase (what the
 * listener hears: idle, loading, decoding, scheduled, playing, paused, blocked, error) and the
 * figures the sync dashboard shows.
 */
import { IDLE_PLAYOUT_REPORT, PlayoutPhase, type PlayoutReport } from '../sync/playout-report.js';
import type { PlaybackPlan } from '../sync/speaker-plan.js';
import type { Milliseconds, Ppm, Seconds } from '../sync/units.js';
import type { AudioOutputState } from './audio-output.js';
import type { LoadState } from './track-loader.js';

export interface EngineSnapshot {
  readonly plan: PlaybackPlan | null;
  readonly trimMs: Milliseconds;
  readonly rateChanges: number;
  readonly reschedules: number;
  readonly outputState: AudioOutputState;
  readonly outputError: string | null;
  readonly load: LoadState | null;
  /** The plan's track has played to its end. */
  readonly ended: boolean;
  /** Output latency in force, ms (NaN while unknown). */
  readonly latencyMs: Milliseconds;
  readonly ratePpm: Ppm;
  /** The latest error measurement. */
  readonly last: { readonly errorMs: Milliseconds; readonly uncertaintyMs: Milliseconds } | null;
  /** A voice is scheduled. */
  readonly scheduled: boolean;
  /** Some of the plan's track is decoded and could play (the whole, or a part of a track still arriving). */
  readonly audioReady: boolean;
  /** Track position being heard now, once the voice has been heard; else null. */
  readonly heardPositionSec: Seconds | null;
}

export function engineReport(s: EngineSnapshot): PlayoutReport {
  const plan = s.plan;
  const base = { ...IDLE_PLAYOUT_REPORT, trimMs: s.trimMs };
  if (plan === null) return base;
  const common = { ...base, zoneId: plan.zoneId, trackId: plan.trackId, rateChanges: s.rateChanges, reschedules: s.reschedules };
  if (s.outputState === 'error') return { ...common, phase: PlayoutPhase.error, message: s.outputError };
  const load = s.load;
  if (load?.kind === 'error') return { ...common, phase: PlayoutPhase.error, message: load.message };
  if (plan.status === 'paused') return { ...common, phase: PlayoutPhase.paused, positionSec: plan.pausedPositionSec };
  if (s.outputState === 'blocked') return { ...common, phase: PlayoutPhase.blocked, message: 'Tap to enable sound' };
  if (s.ended) return { ...common, phase: PlayoutPhase.idle };
  // A voice playing a part of the track (a late joiner's) plays while the rest loads or decodes, and
  // a decoded part waiting to start (for the clock, say) is starting, not loading.
  const waiting = !s.scheduled && !s.audioReady;
  if (waiting && (load === null || load.kind === 'loading' || load.kind === 'missing')) return { ...common, phase: PlayoutPhase.loading };
  if (waiting && load?.kind === 'decoding') return { ...common, phase: PlayoutPhase.decoding };
  const withTiming = {
    ...common,
    outputLatencyMs: Number.isFinite(s.latencyMs) ? s.latencyMs : null,
    ratePpm: s.ratePpm,
    errorMs: s.last?.errorMs ?? null,
    uncertaintyMs: s.last !== null && Number.isFinite(s.last.uncertaintyMs) ? s.last.uncertaintyMs : null,
  };
  if (!s.scheduled || s.heardPositionSec === null) return { ...withTiming, phase: PlayoutPhase.scheduled };
  return { ...withTiming, phase: PlayoutPhase.playing, positionSec: s.heardPositionSec };
}
