/**
 * The app's own view of its playout, sampled during a sync benchmark and set against the ground
 * truth from the rendered audio: does the estimate the drift loop acts on follow what is heard?
 *
 * Each speaker's estimate is against the shared timeline, the truth (from the recording) against
 * the mean of the others; so the estimate is compared as "own estimate − mean of the others'
 * estimates" at the same poll round. Whatever the estimates get wrong shows as (truth − estimate):
 * its median is a constant bias (latency model), its spread the estimate's noise.
 */
import type { Page } from 'playwright-core';
import type { Milliseconds } from '../src/sync/units.js';
import { wrapPositionSec, type FrameSample } from './playout-compare.js';
import type { PlayoutWindow } from './playout-analysis.js';
import { median } from '../src/sync/median.js';
import { percentile } from './stats.js';

/** A value at a host time, ms. */
export interface HostSample {
  readonly hostMs: Milliseconds;
  readonly valueMs: Milliseconds;
}

/** One poll of one speaker. */
export interface TraceSample {
  readonly hostMs: Milliseconds;
  /** The engine's phase (idle, loading, decoding, scheduled, playing…), or null. */
  readonly phase: string | null;
  readonly errorMs: Milliseconds | null;
  readonly uncertaintyMs: Milliseconds | null;
  readonly latencyMs: Milliseconds | null;
  readonly impliedLatencyMs: Milliseconds | null;
  /** Offset of the agreeing readings followed on top of latencyMs (output-fine-latency.ts). */
  readonly fineLatencyMs: Milliseconds | null;
  /** The latest change of latencyMs by the output timing's rules (page ms, rule, from, to). */
  readonly lastLatencyChange: { readonly atMs: number; readonly rule: string; readonly fromMs: number; readonly toMs: number | null } | null;
  readonly renderRestarts: number | null;
  /** Witnessed steps the render line was shifted by (RenderClock.witnessStep). */
  readonly renderShifts: number | null;
  readonly ratePpm: number | null;
  readonly reschedules: number | null;
  readonly renderRatePpm: number | null;
  /** 1σ of renderRatePpm, ppm. */
  readonly renderRateSdPpm: number | null;
  /** The drift policy's learned rate and its 1σ, ppm. */
  readonly learnedRatePpm: number | null;
  readonly learnedRateSdPpm: number | null;
  /** Voices moved onto longer audio of the same track (a part of a track still arriving). */
  readonly partUpgrades: number | null;
  readonly slippedSamples: number | null;
  /** The browser's underrun counters (AudioContext.playbackStats). */
  readonly underrunEvents: number | null;
  readonly underrunMs: Milliseconds | null;
  /** The output timing's readings still trend (no start, no fine latency change), and how fast, ms/s. */
  readonly settling: boolean | null;
  readonly readingTrendMsPerSec: number | null;
  /** The zone's plan: track position `startPositionSec` heard at shared ms `startSharedMs`. */
  readonly startSharedMs: Milliseconds | null;
  readonly startPositionSec: number | null;
  /** performance.timeOrigin of the page, ms since the epoch (host ms). */
  readonly timeOriginMs: Milliseconds;
  /** Whether the page keeps the shared clock. */
  readonly clockAuthority: boolean;
  /**
   * Host ms (timeOrigin + performance.now()) at shared time 0 as the page maps it: the original
   * authority's is its timeOrigin; after a failover the new one continues the old timeline.
   */
  readonly sharedZeroHostMs: Milliseconds | null;
}

/** A poll round: one sample per speaker (null: that page did not answer). */
export type TraceRound = ReadonlyArray<TraceSample | null>;

async function sample(page: Page, hostNow: () => Milliseconds): Promise<TraceSample | null> {
  const raw = await page
    .evaluate(() => {
      type Zone = { startSharedMs: number; startPositionSec: number };
      const d = window.tutti?.diagnostics() as { clock?: { role?: string }; time?: { perfNowMs: number; timeOriginMs: number; sharedNowMs: number } } | undefined;
      const p = (d as { playback?: { report?: Record<string, number | string | null>; timing?: Record<string, number | null>; ownZoneId?: string; zones?: { zones: Record<string, Zone> } } } | undefined)?.playback;
      if (p == null) return null;
      const r = p.report ?? {};
      const t = (p.timing ?? {}) as Record<string, number | boolean | null>;
      const z = p.zones?.zones[p.ownZoneId ?? ''];
      return [r.errorMs, r.uncertaintyMs, t.latencyMs, t.lastImpliedLatencyMs, t.renderRestarts, r.ratePpm, r.reschedules, t.renderRatePpm, t.slippedSamples, z?.startSharedMs, z?.startPositionSec, performance.timeOrigin, t.underrunEvents, t.underrunMs, d?.clock?.role === 'authority', d?.time === undefined ? null : d.time.timeOriginMs + d.time.perfNowMs - d.time.sharedNowMs, t.settling, t.readingTrendMsPerSec, t.fineLatencyMs, (t as { latencyChanges?: unknown[] }).latencyChanges?.at(-1) ?? null, r.phase, t.renderShifts, t.renderRateSdPpm, t.learnedRatePpm, t.learnedRateSdPpm, t.partUpgrades] as const;
    })
    .catch(() => null);
  if (raw === null) return null;
  const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { hostMs: hostNow(), errorMs: n(raw[0]), uncertaintyMs: n(raw[1]), latencyMs: n(raw[2]), impliedLatencyMs: n(raw[3]), renderRestarts: n(raw[4]), ratePpm: n(raw[5]), reschedules: n(raw[6]),
    renderRatePpm: n(raw[7]), slippedSamples: n(raw[8]), startSharedMs: n(raw[9]), startPositionSec: n(raw[10]), timeOriginMs: raw[11], underrunEvents: n(raw[12]), underrunMs: n(raw[13]), clockAuthority: raw[14], sharedZeroHostMs: n(raw[15]),
    settling: typeof raw[16] === 'boolean' ? raw[16] : null, readingTrendMsPerSec: n(raw[17]), fineLatencyMs: n(raw[18]), lastLatencyChange: (raw[19] ?? null) as TraceSample['lastLatencyChange'], phase: typeof raw[20] === 'string' ? raw[20] : null, renderShifts: n(raw[21]),
    renderRateSdPpm: n(raw[22]), learnedRatePpm: n(raw[23]), learnedRateSdPpm: n(raw[24]), partUpgrades: n(raw[25]) };
}

/**
 * Host ms at shared time 0 near a host time, from the clock keeper's samples of the nearest round
 * that has one (leadership can move off the first tab; an injected skew moves the mapping).
 */
export function sharedZeroHostMsNear(rounds: readonly TraceRound[]): (hostMs: Milliseconds) => Milliseconds {
  const points: HostSample[] = rounds.flatMap((round) => round.flatMap((s) => (s?.clockAuthority === true && s.sharedZeroHostMs !== null ? [{ hostMs: s.hostMs, valueMs: s.sharedZeroHostMs }] : [])));
  return (hostMs) => nearestValue(points, hostMs, Number.POSITIVE_INFINITY) ?? Number.NaN;
}

/** Polls `pages()` every `everyMs` until `stop()` is called; resolves with the rounds. */
export function startTrace(pages: () => readonly Page[], everyMs: Milliseconds, hostNow: () => Milliseconds): { stop(): Promise<TraceRound[]> } {
  const rounds: TraceRound[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = hostNow();
      rounds.push(await Promise.all(pages().map((page) => sample(page, hostNow))));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (hostNow() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return rounds;
    },
  };
}

/** Per speaker: how the app's relative estimate compares with the truth. */
export interface EstimateVsTruth {
  readonly speaker: string;
  readonly samples: number;
  /** Median of (truth − estimate), ms: a constant bias of the latency model. */
  readonly biasMs: Milliseconds;
  /** p95 of |(truth − estimate) − bias|, ms: noise of the estimate. */
  readonly noiseP95Ms: Milliseconds;
  /** p95 of |estimate − its median|, ms: how much the estimate itself moves. */
  readonly estimateSpreadP95Ms: Milliseconds;
  /** p95 of |truth − its median|, ms: how much the heard offset moves. */
  readonly truthSpreadP95Ms: Milliseconds;
}

const p95Around = (values: readonly number[], centre: number): number => percentile(values.map((v) => Math.abs(v - centre)).sort((a, b) => a - b), 0.95);

/**
 * Matches each poll round (from `fromHostMs`) to the nearest truth sample within `maxGapMs` for
 * every speaker of `truth` (per speaker: error vs the others, positive = late; `hostMsAt` maps a
 * recording frame to host ms).
 */
export function compareEstimates(rounds: readonly TraceRound[], truth: ReadonlyArray<readonly FrameSample[]>, hostMsAt: (frame: number) => Milliseconds, fromHostMs: Milliseconds, maxGapMs: Milliseconds = 100): EstimateVsTruth[] {
  const truthHost = truth.map((series) => series.map((s) => ({ hostMs: hostMsAt(s.recordingFrame), valueMs: s.valueMs })));
  return compareWith(rounds, truthHost, fromHostMs, maxGapMs, (round, k) => {
    const others = truth.flatMap((_, j) => (j !== k && round[j]?.errorMs != null ? [round[j]!.errorMs!] : []));
    const own = round[k]!.errorMs!;
    return others.length === 0 ? null : own - others.reduce((sum, e) => sum + e, 0) / others.length;
  });
}

/** Markdown table of {@link compareEstimates}. */
export function formatEstimates(rows: readonly EstimateVsTruth[], title: string): string {
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
  return [
    title,
    '',
    '| speaker | polls | bias ms (latency model) | noise p95 ms | estimate moves p95 ms | truth moves p95 ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.speaker} | ${r.samples} | ${f(r.biasMs)} | ${f(r.noiseP95Ms)} | ${f(r.estimateSpreadP95Ms)} | ${f(r.truthSpreadP95Ms)} |`),
  ].join('\n');
}

/**
 * Absolute playout error from the recording, ms (positive = late): when each locked window's
 * track position was heard (host ms) − when the plan wanted it heard, with shared time mapped to
 * host ms by `sharedZeroHostMsAt(hostMs)` (host ms at shared time 0 as the clock's keeper mapped
 * it around then). Includes the rig's own recording-latency bias, common to all speakers.
 */
export function absoluteErrorsMs(windows: readonly PlayoutWindow[], hostMsAt: (frame: number) => Milliseconds, plan: TracePlan, sharedZeroHostMsAt: (hostMs: Milliseconds) => Milliseconds, loopSec = Number.POSITIVE_INFINITY): HostSample[] {
  return windows.flatMap((w) => {
    if (w.trackPositionSec === null) return [];
    const hostMs = hostMsAt(w.recordingFrame);
    return [{ hostMs, valueMs: wrapPositionSec(plannedPositionSec(hostMs, plan, sharedZeroHostMsAt) - w.trackPositionSec, loopSec) * 1000 }];
  });
}

/** A plan as traced: where the track starts on the shared timeline (ms) and from which position (s). */
export interface TracePlan {
  readonly startSharedMs: Milliseconds;
  readonly startPositionSec: number;
}

/** Track position (s) the plan has due at host time `hostMs` (shared time mapped as in {@link absoluteErrorsMs}); unwrapped. */
export function plannedPositionSec(hostMs: Milliseconds, plan: TracePlan, sharedZeroHostMsAt: (hostMs: Milliseconds) => Milliseconds): number {
  return plan.startPositionSec + (hostMs - sharedZeroHostMsAt(hostMs) - plan.startSharedMs) / 1000;
}

/**
 * The leader's plans (first speaker of each round) with a start, and the host time they were
 * polled at, oldest first. An idle zone reports start 0, which is no plan (taken for one, the
 * press read "planned the start −71026 ms after the click" in a bench:sync run).
 */
export function tracedPlans(rounds: readonly TraceRound[]): Array<TracePlan & { readonly hostMs: Milliseconds }> {
  return rounds.flatMap((round) => {
    const s = round[0];
    return s?.startSharedMs != null && s.startPositionSec != null && s.phase !== 'idle' ? [{ hostMs: s.hostMs, startSharedMs: s.startSharedMs, startPositionSec: s.startPositionSec }] : [];
  });
}

/**
 * Per speaker: the app's own errorMs at each poll against the absolute truth (see
 * {@link absoluteErrorsMs}) nearest in host time (within `maxGapMs`).
 */
export function compareAbsolute(rounds: readonly TraceRound[], truth: ReadonlyArray<readonly HostSample[]>, fromHostMs: Milliseconds, maxGapMs: Milliseconds = 100): EstimateVsTruth[] {
  return compareWith(rounds, truth, fromHostMs, maxGapMs, (round, k) => round[k]!.errorMs);
}

/**
 * Per speaker k of `truth`: pairs each poll (from `fromHostMs`, with an errorMs) with the truth
 * sample nearest in host time (within `maxGapMs`); `estimateOf` gives the estimate to compare.
 */
function compareWith(rounds: readonly TraceRound[], truth: ReadonlyArray<readonly HostSample[]>, fromHostMs: Milliseconds, maxGapMs: Milliseconds, estimateOf: (round: TraceRound, k: number) => number | null): EstimateVsTruth[] {
  return truth.map((series, k) => {
    const pairs: { est: number; truth: number }[] = [];
    for (const round of rounds) {
      const own = round[k];
      if (own == null || own.errorMs === null || own.hostMs < fromHostMs) continue;
      const est = estimateOf(round, k);
      const t = est === null ? null : nearestValue(series, own.hostMs, maxGapMs);
      if (est !== null && t !== null) pairs.push({ est, truth: t });
    }
    return summarise(`S${k}`, pairs);
  });
}

function nearestValue(series: readonly HostSample[], hostMs: Milliseconds, maxGapMs: Milliseconds): number | null {
  let best: { d: number; v: number } | null = null;
  for (const s of series) {
    const d = Math.abs(s.hostMs - hostMs);
    if (d <= maxGapMs && (best === null || d < best.d)) best = { d, v: s.valueMs };
  }
  return best?.v ?? null;
}

function summarise(speaker: string, pairs: ReadonlyArray<{ est: number; truth: number }>): EstimateVsTruth {
  const diffs = pairs.map((p) => p.truth - p.est);
  const bias = median(diffs);
  const est = pairs.map((p) => p.est);
  const tru = pairs.map((p) => p.truth);
  return {
    speaker,
    samples: pairs.length,
    biasMs: bias,
    noiseP95Ms: p95Around(diffs, bias),
    estimateSpreadP95Ms: p95Around(est, median(est)),
    truthSpreadP95Ms: p95Around(tru, median(tru)),
  };
}
