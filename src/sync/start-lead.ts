/**
 * How far ahead of "now" the leader schedules a (re)start on the shared timeline: far enough for
 * every speaker to hear about it and schedule it (network one-way delay, main-thread work, the
 * scheduling lead, the output latency), and no further — press-to-sound is this lead plus the
 * command's own trip to the leader (target ≤ 250 ms on a LAN).
 */
import type { Milliseconds } from './units.js';

/** What the leader knows about one speaker of the zone. */
export interface SpeakerTiming {
  /** Round trip to it, smoothed over the last pings (one a second), ms (null: not measured yet). */
  readonly rttMs: Milliseconds | null;
  /**
   * Its clock's best round trip to the leader over the replies it keeps (the last 2 minutes), ms
   * (null: not reported). Preferred: the smoothed ping round trip still carries the main-thread
   * delays of work that is over (bench:sync, pressing just after every speaker decoded the track:
   * 49–339 ms on localhost, and starts planned 215 ms ahead), which the margin is for. A speaker
   * that hears of the start too late starts at the position due then (playout-schedule.ts).
   */
  readonly promptRttMs?: Milliseconds | null;
  /** Its output latency (rendered → heard), ms (null: not reported yet). */
  readonly outputLatencyMs: Milliseconds | null;
}

/** Tuning of {@link startLeadMs}. */
export interface StartLeadOptions {
  /** Never less than this, ms. */
  readonly minLeadMs: Milliseconds;
  /** Never more than this, ms (a speaker slower than this joins late instead). */
  readonly maxLeadMs: Milliseconds;
  /** Main-thread work + scheduling margin on the slowest speaker, ms. */
  readonly marginMs: Milliseconds;
  /** Round trip assumed for a speaker not measured yet, ms. */
  readonly unknownRttMs: Milliseconds;
  /** Output latency assumed for a speaker that has not reported one, ms. */
  readonly unknownOutputLatencyMs: Milliseconds;
}

export const DEFAULT_START_LEAD_OPTIONS: StartLeadOptions = {
  minLeadMs: 100,
  maxLeadMs: 1_000,
  marginMs: 60,
  unknownRttMs: 20,
  unknownOutputLatencyMs: 40,
};

/**
 * The lead (ms) for a start heard by all `speakers`: max over speakers of (a whole RTT — twice the
 * one-way delay, for jitter — + output latency) + margin, clamped to [minLeadMs, maxLeadMs]. The
 * RTT is the prompt one where known, else the smoothed one. Non-finite or negative inputs count as
 * unknown. Pure; with no speakers returns minLeadMs.
 */
export function startLeadMs(speakers: readonly SpeakerTiming[], options: Partial<StartLeadOptions> = {}): Milliseconds {
  const o = { ...DEFAULT_START_LEAD_OPTIONS, ...options };
  let needMs = 0;
  for (const s of speakers) {
    const rttMs = valid(s.promptRttMs) ? s.promptRttMs : valid(s.rttMs) ? s.rttMs : o.unknownRttMs;
    const latencyMs = valid(s.outputLatencyMs) ? s.outputLatencyMs : o.unknownOutputLatencyMs;
    needMs = Math.max(needMs, rttMs + latencyMs);
  }
  return Math.min(o.maxLeadMs, Math.max(o.minLeadMs, needMs + o.marginMs));
}

const valid = (v: number | null | undefined): v is number => v != null && Number.isFinite(v) && v >= 0;
