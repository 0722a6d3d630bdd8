/**
 * Lock-screen and hardware-key controls (Media Session) as pure decisions: what a zone shows as
 * "now playing", and which zone command a media action means. Pure: the shell passes the zone
 * and the shared time in (see src/shell/lock-screen-controls.ts).
 */
import { currentEntry, zonePositionSec, ZoneStatus, type ZoneState } from './play-state.js';
import type { Milliseconds, Seconds } from './units.js';

/** The Media Session actions Tutti handles. */
export const MEDIA_ACTIONS = ['play', 'pause', 'stop', 'nexttrack', 'previoustrack', 'seekto', 'seekbackward', 'seekforward'] as const;
export type MediaAction = (typeof MEDIA_ACTIONS)[number];

/** Default skip of seekbackward / seekforward when the browser gives no offset, s. */
export const DEFAULT_SEEK_OFFSET_SEC = 10;

/** A command on this device's zone (RoomPlayback.zoneCommand adds the zone id). */
export type ZoneTransportCommand =
  | { readonly type: 'play' }
  | { readonly type: 'pause' | 'resume' | 'stop' | 'next' | 'previous' }
  | { readonly type: 'seek'; readonly positionSec: Seconds };

/** What the lock screen shows. Invariant: `0 ≤ positionSec ≤ durationSec`, `durationSec > 0`. */
export interface NowPlaying {
  readonly trackId: string;
  readonly title: string;
  readonly artist: string;
  readonly durationSec: Seconds;
  readonly positionSec: Seconds;
  readonly status: 'playing' | 'paused';
}

/** The zone's current track as the lock screen shows it; null when stopped or without a track. */
export function nowPlaying(zone: ZoneState | null, nowSharedMs: Milliseconds): NowPlaying | null {
  if (zone === null || zone.status === ZoneStatus.stopped) return null;
  const entry = currentEntry(zone);
  if (entry === undefined) return null;
  const positionSec = Math.min(entry.durationSec, Math.max(0, zonePositionSec(zone, nowSharedMs)));
  return {
    trackId: entry.trackId,
    title: entry.title,
    artist: entry.artist,
    durationSec: entry.durationSec,
    positionSec,
    status: zone.status === ZoneStatus.playing ? 'playing' : 'paused',
  };
}

/** Details a media action may carry (seek target or offset, s). */
export interface MediaActionDetails {
  readonly seekTimeSec?: number;
  readonly seekOffsetSec?: number;
}

/**
 * The command a media action means for `zone` now, or null when it means nothing there (pause
 * while paused, next without a track…). Seeking to or past the end means `next`.
 */
export function mediaActionCommand(
  action: MediaAction,
  zone: ZoneState | null,
  nowSharedMs: Milliseconds,
  details: MediaActionDetails = {},
): ZoneTransportCommand | null {
  if (zone === null) return null;
  const entry = currentEntry(zone);
  switch (action) {
    case 'play':
      if (zone.status === ZoneStatus.paused) return { type: 'resume' };
      return zone.status === ZoneStatus.stopped && zone.queue.length > 0 ? { type: 'play' } : null;
    case 'pause':
      return zone.status === ZoneStatus.playing ? { type: 'pause' } : null;
    case 'stop':
      return zone.status === ZoneStatus.stopped ? null : { type: 'stop' };
    case 'nexttrack':
      return entry === undefined ? null : { type: 'next' };
    case 'previoustrack':
      return entry === undefined ? null : { type: 'previous' };
    case 'seekto':
    case 'seekbackward':
    case 'seekforward': {
      if (entry === undefined || zone.status === ZoneStatus.stopped) return null;
      const target = seekTarget(action, zonePositionSec(zone, nowSharedMs), details);
      if (target === null) return null;
      return target >= entry.durationSec ? { type: 'next' } : { type: 'seek', positionSec: Math.max(0, target) };
    }
  }
}

function seekTarget(action: 'seekto' | 'seekbackward' | 'seekforward', positionSec: Seconds, details: MediaActionDetails): Seconds | null {
  if (action === 'seekto') return Number.isFinite(details.seekTimeSec) ? details.seekTimeSec! : null;
  const offsetSec = Number.isFinite(details.seekOffsetSec) && details.seekOffsetSec! > 0 ? details.seekOffsetSec! : DEFAULT_SEEK_OFFSET_SEC;
  return action === 'seekforward' ? positionSec + offsetSec : positionSec - offsetSec;
}
