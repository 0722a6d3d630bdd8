/** Text for playout state shared by the player and the sync dashboard: phases, times, error quality. */
import { PlayoutPhase, type PlayoutReport } from '../sync/playout-report.js';
import type { Milliseconds, Seconds } from '../sync/units.js';

/** Largest |error| still "in sync", ms. */
export const GOOD_ERROR_MS: Milliseconds = 0.25;
/** Largest |error| still "slightly off", ms; beyond it a speaker is "drifting". */
export const FAIR_ERROR_MS: Milliseconds = 1;

/** How close a speaker is to the plan; also the CSS class of its error cell. */
export const ErrorQuality = { good: 'good', fair: 'fair', bad: 'bad' } as const;
export type ErrorQuality = (typeof ErrorQuality)[keyof typeof ErrorQuality];

/** Words for each quality, so colour is never the only signal. */
export const QUALITY_TEXT: Readonly<Record<ErrorQuality, string>> = {
  good: 'in sync',
  fair: 'slightly off',
  bad: 'drifting',
};

/** Quality of a playout error (ms, either sign); non-finite errors are "bad". */
export function errorQuality(errorMs: Milliseconds): ErrorQuality {
  const magnitude = Math.abs(errorMs);
  if (magnitude <= GOOD_ERROR_MS) return ErrorQuality.good;
  if (magnitude <= FAIR_ERROR_MS) return ErrorQuality.fair;
  return ErrorQuality.bad;
}

/** A signed value with a unit, e.g. `+0.08 ms`, `−1.50 ms` (true minus sign); no sign when it rounds to 0. */
export function formatSigned(value: number, digits: number, unit: string): string {
  const text = Math.abs(value).toFixed(digits);
  const sign = Number(text) === 0 ? '' : value > 0 ? '+' : '−';
  return `${sign}${text} ${unit}`;
}

/** A non-negative duration in ms, or "–" when unknown. */
export function formatMs(ms: Milliseconds | null, digits = 2): string {
  return ms === null ? '–' : `${ms.toFixed(digits)} ms`;
}

/** A track position as `m:ss` (or `h:mm:ss` from one hour); negative or non-finite shows 0:00. */
export function formatClock(sec: Seconds): string {
  const total = Number.isFinite(sec) && sec > 0 ? Math.floor(sec) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** The short word for a phase, e.g. "Receiving…". */
export const PHASE_TEXT: Readonly<Record<PlayoutPhase, string>> = {
  [PlayoutPhase.idle]: 'Idle',
  [PlayoutPhase.loading]: 'Receiving…',
  [PlayoutPhase.decoding]: 'Decoding…',
  [PlayoutPhase.scheduled]: 'Starting…',
  [PlayoutPhase.playing]: 'Playing',
  [PlayoutPhase.paused]: 'Paused',
  [PlayoutPhase.blocked]: 'Tap to enable sound',
  [PlayoutPhase.error]: 'Error',
};

/**
 * How well a playing speaker keeps sync, e.g. "in sync ±0.12 ms" or "drifting +3.20 ms";
 * null unless it plays with a known error.
 */
export function syncText(report: PlayoutReport): string | null {
  if (report.phase !== PlayoutPhase.playing || report.errorMs === null) return null;
  const quality = errorQuality(report.errorMs);
  const amount = quality === ErrorQuality.good ? `±${Math.abs(report.errorMs).toFixed(2)} ms` : formatSigned(report.errorMs, 2, 'ms');
  return `${QUALITY_TEXT[quality]} ${amount}`;
}
