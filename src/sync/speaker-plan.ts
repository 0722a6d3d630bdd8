/**
 * What this speaker should play, derived from its zone and its own mix settings: the input of
 * the audio engine. Pure.
 */
import { currentEntry, speakerGain, ZoneStatus, type SpeakerMix, type ZoneState } from './play-state.js';
import type { StereoChannel } from './group-state.js';
import type { Milliseconds, Seconds } from './units.js';

/** The engine's instructions: play (or hold paused) one track on the shared timeline. */
export interface PlaybackPlan {
  readonly zoneId: string;
  readonly trackId: string;
  readonly status: 'playing' | 'paused';
  /** Shared time (ms) at which `startPositionSec` is heard; meaningful when playing. */
  readonly startSharedMs: Milliseconds;
  /** Track position (s) heard at `startSharedMs`; meaningful when playing. */
  readonly startPositionSec: Seconds;
  /** Position (s) held while paused. */
  readonly pausedPositionSec: Seconds;
  readonly durationSec: Seconds;
  /** Output gain 0..1: zone volume × speaker volume, 0 when muted. */
  readonly gain: number;
  /** Which channel of the track to play on every output (a stereo pair's half); default both. */
  readonly channel?: StereoChannel;
}

/** Per-speaker settings kept on this device: mix plus a manual latency trim (ms, + = later). */
export interface SpeakerSettings extends SpeakerMix {
  readonly trimMs: Milliseconds;
}

/** Settings until changed. */
export const DEFAULT_SPEAKER_SETTINGS: SpeakerSettings = { volume: 1, muted: false, trimMs: 0 };

/** Largest manual trim accepted, ms (either sign). */
export const MAX_TRIM_MS = 500;

/** The plan for a speaker in `zone` (null: silence — no zone, stopped, or nothing current). */
export function planForZone(zone: ZoneState | null, mix: SpeakerMix, channel: StereoChannel = 'both'): PlaybackPlan | null {
  if (zone === null || zone.status === ZoneStatus.stopped) return null;
  const entry = currentEntry(zone);
  if (entry === undefined) return null;
  return {
    zoneId: zone.zoneId,
    trackId: entry.trackId,
    status: zone.status,
    startSharedMs: zone.startSharedMs,
    startPositionSec: zone.startPositionSec,
    pausedPositionSec: zone.pausedPositionSec,
    durationSec: entry.durationSec,
    gain: speakerGain(zone, mix),
    channel,
  };
}

/** Whether two plans put the same audio at the same times (only gain may differ). */
export function sameSchedule(a: PlaybackPlan, b: PlaybackPlan): boolean {
  if (a.zoneId !== b.zoneId || a.trackId !== b.trackId || a.status !== b.status) return false;
  return a.status === 'paused' ? a.pausedPositionSec === b.pausedPositionSec : a.startSharedMs === b.startSharedMs && a.startPositionSec === b.startPositionSec;
}

/** The track ids worth having now: the current entry, then the next one (to decode ahead). */
export function tracksToFetch(zone: ZoneState | null): string[] {
  if (zone === null || zone.currentIndex < 0) return [];
  return zone.queue.slice(zone.currentIndex, zone.currentIndex + 2).map((e) => e.trackId);
}

/** Settings from untrusted storage: out-of-range or missing fields take their defaults. */
export function sanitizeSettings(input: unknown): SpeakerSettings {
  const r = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const volume = typeof r.volume === 'number' && r.volume >= 0 && r.volume <= 1 ? r.volume : DEFAULT_SPEAKER_SETTINGS.volume;
  const muted = typeof r.muted === 'boolean' ? r.muted : DEFAULT_SPEAKER_SETTINGS.muted;
  const trimMs = typeof r.trimMs === 'number' && Math.abs(r.trimMs) <= MAX_TRIM_MS ? r.trimMs : DEFAULT_SPEAKER_SETTINGS.trimMs;
  return { volume, muted, trimMs };
}
