/**
 * What one speaker reports about its own playback: shown in its own UI, sent to the room for the
 * sync dashboard (validated by {@link decodePlayoutReport}), and exposed in diagnostics.
 */
import type { Milliseconds, Ppm, Seconds } from './units.js';

/** What a speaker's audio is doing. */
export const PlayoutPhase = {
  /** Nothing to play. */
  idle: 'idle',
  /** Waiting for the track's bytes (from the library or peers). */
  loading: 'loading',
  /** Decoding the track. */
  decoding: 'decoding',
  /** A start is scheduled in the future. */
  scheduled: 'scheduled',
  playing: 'playing',
  paused: 'paused',
  /** The browser blocks audio until a user gesture (autoplay policy). */
  blocked: 'blocked',
  error: 'error',
} as const;
export type PlayoutPhase = (typeof PlayoutPhase)[keyof typeof PlayoutPhase];

/** One speaker's playback state. Numbers are finite or null ("not known now"). */
export interface PlayoutReport {
  readonly phase: PlayoutPhase;
  readonly zoneId: string | null;
  readonly trackId: string | null;
  /** Track position being heard now, s. */
  readonly positionSec: Seconds | null;
  /** Estimated playout error, ms: heard time − planned time (positive = late). */
  readonly errorMs: Milliseconds | null;
  /** 1σ of that estimate, ms. */
  readonly uncertaintyMs: Milliseconds | null;
  /** Output latency compensated for (context frame rendered → heard), ms. */
  readonly outputLatencyMs: Milliseconds | null;
  /** Manual latency trim in effect, ms (positive = this speaker plays later). */
  readonly trimMs: Milliseconds;
  /** playbackRate − 1 in effect, ppm. */
  readonly ratePpm: Ppm;
  /** Rate changes made by drift correction since this track started. */
  readonly rateChanges: number;
  /** Hard re-schedules (crossfaded) since this track started. */
  readonly reschedules: number;
  /** A short message for the user (an error, "tap to enable sound"), or null. */
  readonly message: string | null;
}

/** The report of a speaker that plays nothing. */
export const IDLE_PLAYOUT_REPORT: PlayoutReport = {
  phase: PlayoutPhase.idle, zoneId: null, trackId: null, positionSec: null, errorMs: null, uncertaintyMs: null,
  outputLatencyMs: null, trimMs: 0, ratePpm: 0, rateChanges: 0, reschedules: 0, message: null,
};
