import { ClockSync } from '../../src/sync/clock-sync.js';
import type { ClockSample } from '../../src/sync/envelope.js';
import { mappingOffsetAt } from '../../src/sync/linear-mapping.js';
import type { Milliseconds } from '../../src/sync/units.js';
import { summarizeAbs, type AbsSummary } from './stats.js';

/** One follower of a recorded live trace (test/fixtures/live-clock-trace.json). */
export interface LiveTraceFollower {
  /** performance.timeOrigin of the follower, ms since the epoch. */
  readonly followerOriginMs: Milliseconds;
  /** Raw probes in send order: t0/t3 follower performance.now(), t1/t2 leader shared time, ms. */
  readonly samples: readonly ClockSample[];
}

/** A recorded live trace: raw probes of followers against one leader with known clock origins. */
export interface LiveClockTrace {
  readonly description: string;
  /** performance.timeOrigin of the leader, ms since the epoch (leader shared time = its performance.now()). */
  readonly leaderOriginMs: Milliseconds;
  readonly followers: Readonly<Record<string, LiveTraceFollower>>;
}

/** What replaying one follower measured. Errors are estimated − true θ at each reply's t3, ms. */
export interface LiveReplayResult {
  readonly follower: string;
  /** True θ = shared − local = followerOriginMs − leaderOriginMs, ms. */
  readonly trueOffsetMs: Milliseconds;
  /** Replies fed. */
  readonly replies: number;
  /** Local time from the first probe to the first converged reply, ms; null if never. */
  readonly convergedAfterMs: Milliseconds | null;
  /** Signed errors at every reply from convergence on, ms. */
  readonly errorsMs: readonly number[];
  /** Summary of |errorsMs|. */
  readonly summary: AbsSummary;
  /** Signed median error, ms (the bias). */
  readonly medianSignedMs: Milliseconds;
  readonly jumpsDetected: number;
}

/**
 * Feed one follower's recorded probes into a fresh {@link ClockSync}: probes are created at t0 and
 * replies handled at t3 in time order (probes overlap), as the app would. After every reply from
 * the first converged one on, the mapping's θ at t3 is compared with the true offset.
 */
export function replayLiveFollower(trace: LiveClockTrace, name: string): LiveReplayResult {
  const follower = trace.followers[name];
  if (follower === undefined) throw new Error(`no follower ${name} in the trace`);
  const trueOffsetMs = follower.followerOriginMs - trace.leaderOriginMs;
  const sync = new ClockSync();
  const events = follower.samples.flatMap((s, i) => [
    { atMs: s.t0, kind: 0, i },
    { atMs: s.t3, kind: 1, i },
  ]);
  events.sort((a, b) => a.atMs - b.atMs || a.kind - b.kind || a.i - b.i);
  const seqOf = new Map<number, number>();
  const errors: number[] = [];
  const firstMs = follower.samples[0]?.t0 ?? 0;
  let convergedAfterMs: Milliseconds | null = null;
  let replies = 0;
  for (const e of events) {
    const s = follower.samples[e.i];
    if (e.kind === 0) {
      seqOf.set(e.i, sync.createProbe(s.t0).seq);
      continue;
    }
    const seq = seqOf.get(e.i);
    if (seq === undefined) continue;
    sync.handleReply(seq, s.t1, s.t2, s.t3);
    replies++;
    const mapping = sync.mapping();
    if (mapping === null || (convergedAfterMs === null && !sync.converged)) continue;
    convergedAfterMs ??= s.t3 - firstMs;
    errors.push(mappingOffsetAt(mapping, s.t3) - trueOffsetMs);
  }
  const sorted = [...errors].sort((a, b) => a - b);
  return {
    follower: name,
    trueOffsetMs,
    replies,
    convergedAfterMs,
    errorsMs: errors,
    summary: summarizeAbs(errors),
    medianSignedMs: sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)],
    jumpsDetected: sync.jumpsDetected,
  };
}

/** Replay every follower of the trace, in key order. */
export function replayLiveTrace(trace: LiveClockTrace): LiveReplayResult[] {
  return Object.keys(trace.followers)
    .sort()
    .map((name) => replayLiveFollower(trace, name));
}
