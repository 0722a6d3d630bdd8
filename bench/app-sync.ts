/**
 * The app's playout sync measured from RENDERED audio: the real server and N Chromium processes
 * (injected clock offsets/skews) in one room, each on its own PulseAudio sink of one recorded
 * room. One speaker starts the demo track (the "Play Tutti Demo" button, or
 * `window.tutti.debug.playDemo()`); the recording is analysed against the rendered demo track.
 * Optionally a late joiner opens the room URL mid-track.
 *
 * App hooks used: the room URL parameters (`room`, `name`, `clockOffsetMs`, `clockRatePpm`,
 * `debug=1`), `window.tutti.diagnostics()` (`clock.role`, `clock.converged`,
 * `playback.report.phase`), `window.tutti.debug.playDemo()` and the button named "Play Tutti Demo".
 */
import type { Page } from 'playwright-core';
import { diagnostics, waitForDiagnostics } from '../test/e2e/harness.js';
import type { Milliseconds } from '../src/sync/units.js';
import type { StartWaitStep } from '../src/sync/start-wait-log.js';
import { countDiscontinuities, dropLoneOutliers, errorsVsOthersMs, firstInSync, firstOnsetFrame, pairwiseOffsetsMs } from './playout-compare.js';
import { trackPlayout, type PlayoutWindow } from './playout-analysis.js';
import { absoluteErrorsMs, compareAbsolute, compareEstimates, formatEstimates, plannedPositionSec, sharedZeroHostMsNear, startTrace, tracedPlans, type EstimateVsTruth, type TraceRound } from './playout-trace.js';
import { writeFileSync } from 'node:fs';
import { disposeAllGuarded } from './process-guard.js';
import { startTimingLogDrain } from './timing-log-drain.js';
import { JOIN_MARKS, markCell, pageMarks, startWaitOf, startWaitText } from './page-marks.js';
import { formatJoinPhases, lateJoinPhases, type JoinPhase } from './late-join-phases.js';
import { PulseRoom } from './pulse-room.js';
import type { ReferenceTrack } from './reference-track.js';
import { hostNowMs } from './room-recorder.js';
import { waitForSteadyOutputs } from './steady-outputs.js';
import { CLOCKS } from './clock-live.js';
import { absStats, type AbsStats } from './stats.js';
import { checkReadingsBeyond, directPairSeries, formatCheckedReadings, type CheckedReading } from './pair-check.js';
import { launchAudioSpeaker, makeAudioServiceRealtime, makeAudioServiceRealtimeWhenUp, startApp, type AudioSpeaker } from './sync-rig.js';


export interface AppSyncOptions {
  readonly speakers: number;
  /** Seconds of playback analysed. */
  readonly seconds: number;
  /** Open one more speaker mid-track and time how long until it is in sync. */
  readonly lateJoin: boolean;
  /** Start by clicking "Play Tutti Demo" (and time press → first sound) instead of `debug.playDemo()`. */
  readonly pressToSound: boolean;
  /** Press as soon as every speaker has the demo cached, without waiting for its decode-ahead. */
  readonly pressWhenCached?: boolean;
  readonly reference: ReferenceTrack;
  /** PULSE_LATENCY_MSEC for the browsers (undefined: Chromium's own request). */
  readonly pulseLatencyMs: number | undefined;
  /** The app's output-time mapping (`&outputTiming=`): cross-checked (default) or readings alone. */
  readonly outputTiming: 'cross-checked' | 'readings';
  /** Speakers (by index) whose frame counter posts its frames (`&frameCounter=message`) instead of writing shared memory. */
  readonly postingFrameCounters?: ReadonlySet<number>;
  /** Put each browser's audio service under real-time scheduling (see makeAudioServiceRealtime). */
  readonly realtimeAudioService: boolean;
  /**
   * Before the press, once the recorder runs, wait until every speaker's output timing has been
   * steady this long (no render restart, no latency change, readings not trending; at most 60 s
   * of waiting), s; 0: press at once. The recorder's capture moves the room sink's latency
   * (steady-outputs.ts).
   */
  readonly steadySeconds: number;
  /** Write the app's sampled estimates (poll rounds, host ms) as JSON here. */
  readonly traceFile?: string;
  /** Record every input of each speaker's output timing (`&timingLog=1`) into the trace, for bench/timing-replay.ts. */
  readonly timingLog?: boolean;
  /** With `timingLog`, the late joiner's too (its page then also answers a drain every 5 s while joining). */
  readonly timingLogJoiner?: boolean;
  /** Also write the recording (each speaker's channel, then the reference, Float32 mono) and a JSON header beside it. */
  readonly recordingFile?: string;
}

export interface AppSyncReport {
  readonly speakers: number;
  readonly recordedSec: number;
  /** How much faster the room sink's clock ran than the host clock, ppm (the speakers must follow it). */
  readonly sinkRatePpm: number;
  /**
   * Per pair: its statistics, and the windows over 1 ms apart (s after the press or the start of
   * play, and ms; at most 8), each with the pair read directly from the two channels (pair-check.ts);
   * and the pair read directly at every window (±20 ms), as a cross-check of the tracking.
   */
  readonly pairs: ReadonlyArray<{ pair: string; stats: AbsStats; over: readonly CheckedReading[]; direct: { stats: AbsStats; unclear: number } }>;
  readonly perSpeaker: ReadonlyArray<{ speaker: string; injected: string; stats: AbsStats; discontinuities: number; locked: string }>;
  /**
   * Click → first sound on the first speaker, on all, and on each, ms (null when not measured or
   * not found); and click → the start the leader planned (shared time), ms: the rest is lateness.
   */
  readonly pressToSoundMs: { first: Milliseconds | null; all: Milliseconds | null; each: ReadonlyArray<Milliseconds | null>; plannedLeadMs: Milliseconds | null } | null;
  /** Opening the late joiner's URL → first of 3 consecutive windows within 1 ms of the others, ms. */
  readonly lateJoinMs: Milliseconds | null | undefined;
  /** The late joiner's own `tutti-*` marks, ms from its navigation start (page-marks.ts; empty without one). */
  readonly lateJoinMarks: Readonly<Record<string, number>>;
  /** What held the late joiner's first voice back, from when (page ms, as the marks; src/sync/start-wait-log.ts). */
  readonly lateJoinStartWait: readonly StartWaitStep[];
  /** The late joiner's offset from the others in spans after it opened the URL (late-join-phases.ts; empty without one). */
  readonly lateJoinPhases: readonly JoinPhase[];
  /** Windows per speaker nulled as lone correlation outliers (playout-compare.ts dropLoneOutliers). */
  readonly loneOutliers: readonly number[];
  /** How long the press waited, once the recorder ran, for steady outputs (null: it did not wait), ms. */
  readonly steadyWaitMs: Milliseconds | null;
  /** The app's own error estimates against the truth, per original speaker. */
  readonly estimates: readonly EstimateVsTruth[];
  /** The app's own error estimates against the absolute truth (plan vs heard, common rig bias included). */
  readonly absolute: readonly EstimateVsTruth[];
}

/** The app's own view of its playout (estimated error, corrections, output timing), for the log. */
function engineSummary(d: unknown): string {
  const p = (d as { playback?: { report?: Record<string, unknown>; timing?: Record<string, unknown> } } | null)?.playback;
  if (p == null) return 'no diagnostics';
  const r = p.report ?? {};
  const t = p.timing ?? {};
  const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));
  return JSON.stringify({
    ...pick(r, ['phase', 'errorMs', 'uncertaintyMs', 'outputLatencyMs', 'ratePpm', 'rateChanges', 'reschedules']),
    timing: pick(t, ['mode', 'latencyMs', 'renderRestarts', 'renderShifts', 'readings', 'baselineResets', 'lastImpliedLatencyMs', 'browserOutputLatencyMs', 'slips', 'underrunEvents', 'underrunMs', 'quickPart', 'startWait']),
  });
}

/** The track ids in a page's library, from its diagnostics. */
export const libraryIds = (d: unknown): readonly string[] =>
  (d as { playback?: { libraryTrackIds?: string[] } | null } | null)?.playback?.libraryTrackIds ?? [];

const decodedIds = (d: unknown): readonly string[] =>
  (d as { playback?: { timing?: { decodedTrackIds?: string[] } | null } | null } | null)?.playback?.timing?.decodedTrackIds ?? [];

/** The phase of a page's speaker engine (idle, loading, playing…), from its diagnostics. */
export const phaseOf = (d: unknown): string | undefined =>
  (d as { playback?: { report?: { phase?: string } } | null } | null)?.playback?.report?.phase;

/** Host ms of the next click anywhere in the page (event timestamp on the page's clock). */
async function armClickTimestamp(page: Page): Promise<() => Promise<number | null>> {
  await page.evaluate(() => {
    const state = globalThis as unknown as { benchClickHostMs?: number };
    delete state.benchClickHostMs;
    addEventListener('click', (event) => (state.benchClickHostMs ??= performance.timeOrigin + event.timeStamp), { capture: true, once: true });
  });
  return () => page.evaluate(() => (globalThis as unknown as { benchClickHostMs?: number }).benchClickHostMs ?? null);
}

/** Runs the benchmark (see the module comment); cleans up everything it started. */
export async function runAppSyncBenchmark(options: AppSyncOptions): Promise<AppSyncReport> {
  const { speakers: n, seconds, lateJoin } = options;
  try {
    console.error('building the app (vite build into a temp dir) and starting the server…');
    const app = await startApp();
    const room = await PulseRoom.start({ speakers: n + (lateJoin ? 1 : 0) });
    const roomId = `sync${Date.now().toString(36)}`;
    const clocks = Array.from({ length: n + 1 }, (_, i) => CLOCKS[i % CLOCKS.length]!);
    const url = (k: number): string =>
      `${app.origin}/?room=${roomId}&name=S${k}&clockOffsetMs=${clocks[k]!.offsetMs}&clockRatePpm=${clocks[k]!.ratePpm}&debug=1&outputTiming=${options.outputTiming}${options.postingFrameCounters?.has(k) === true ? '&frameCounter=message' : ''}${options.timingLog === true && (k < n || options.timingLogJoiner === true) ? '&timingLog=1' : ''}`;
    const speakers: AudioSpeaker[] = [];
    // A desktop Chromium's audio threads run real-time from the start; here they are raised by hand
    // as soon as each page's audio service is up (raised just before the press, the render clocks
    // of two runs restarted 0.5–1.5 s after it, and the speakers started on stale latencies), and
    // again once playing for any thread the output stream started.
    const raised: Promise<number[]>[] = [];
    for (let k = 0; k < n; k++) {
      const speaker = await launchAudioSpeaker(room, k, options.pulseLatencyMs);
      speakers.push(speaker);
      if (options.realtimeAudioService) raised.push(makeAudioServiceRealtimeWhenUp(speaker));
      await speaker.page.goto(url(k));
      if (k === 0) await waitForDiagnostics(speaker.page, (d) => d.clock.role === 'authority', { what: 'first tab leads' });
    }
    await Promise.all(speakers.slice(1).map((s) => waitForDiagnostics(s.page, (d) => d.clock.converged, { what: 'clock converged', timeoutMs: 60_000 })));

    // Press-to-sound is for a track already cached: wait until every speaker has the demo (each
    // renders it, or fetches it from a peer) before pressing play.
    const demoIds = await Promise.all(speakers.map((s) => waitForDiagnostics(s.page, (d) => libraryIds(d).length > 0, { what: 'demo track cached', timeoutMs: 180_000 }).then(() => diagnostics(s.page)).then(libraryIds)));
    if (!demoIds.every((ids) => ids.some((id) => demoIds[0]!.includes(id)))) console.error('warning: the speakers hold different tracks before the demo starts');
    // "Cached" includes the app's own decode-ahead of the track likely to play (speaker-playback.ts):
    // pressed while a tab still decoded its demo, that tab sounded 450–690 ms after the others.
    // (--press-when-cached presses at once: the speakers start from a quick part of the track then.)
    const cachedAtMs = performance.now();
    if (options.pressWhenCached !== true) {
      await Promise.all(speakers.map((s, k) => waitForDiagnostics(s.page, (d) => decodedIds(d).some((id) => demoIds[k]!.includes(id)), { what: 'demo decoded ahead', timeoutMs: 60_000 })));
      console.error(`every speaker had the demo decoded ahead ${(performance.now() - cachedAtMs).toFixed(0)} ms after the last one cached it`);
    } else {
      const decodedNow = await Promise.all(speakers.map((s) => diagnostics(s.page).then(decodedIds)));
      console.error(`pressing with the demo decoded ahead on ${decodedNow.filter((ids, k) => ids.some((id) => demoIds[k]!.includes(id))).length} of ${n} speakers`);
    }
    // The trace starts before the press: how each speaker's output timing stood when it started.
    const trace = startTrace(() => speakers.map((s) => s.page), 500, hostNowMs);
    const timingLogs = options.timingLog === true ? startTimingLogDrain(() => speakers.map((s) => s.page), 5_000) : null;
    await Promise.all(raised);
    console.error(`${n} speakers joined, the demo cached on each; starting it…`);
    // This capture lowers the room sink's latency to the recorder's 5 ms: 1–2 s after the press every
    // speaker's output timing restarts (its readings 4–6 ms lower, the output unmoved; 4 of 4 runs),
    // a start-up transient of this rig. Recording (or holding a capture) from the room's start
    // removed it, but then a speaker's channel recorded garbled (matching no track position) for
    // 30–110 s in 3 of 9 runs, against 0 of 4 recorded from here. So the recorder starts here, and
    // the press waits for the transient to pass (--steady-seconds; 0 keeps it in the figures).
    const recorder = await room.record();
    let steadyWaitMs: Milliseconds | null = null;
    if (options.steadySeconds > 0) {
      steadyWaitMs = await waitForSteadyOutputs(speakers.map((s) => s.page), options.steadySeconds * 1000, 60_000);
      console.error(`outputs steady for ${options.steadySeconds} s after ${(steadyWaitMs / 1000).toFixed(1)} s of recording`);
    }
    const leader = speakers[0]!.page;
    let clickHostMs: number | null = null;
    if (options.pressToSound) {
      // The start lead rests on each speaker's prompt clock round trip, where the smoothed ping one
      // remembers busy moments (start-lead.ts): both, as the leader sees them at the press.
      type Member = { name: string | null; isSelf: boolean; rttMs: number | null; clock: { rttMs: number | null } | null };
      const members = ((await diagnostics(leader)) as { members?: Member[] } | null)?.members ?? [];
      const ms = (v: number | null | undefined): string => (v == null ? '—' : `${v.toFixed(1)} ms`);
      console.error(`round trips at the press (prompt / smoothed): ${members.filter((m) => !m.isSelf).map((m) => `${m.name ?? '?'} ${ms(m.clock?.rttMs)} / ${ms(m.rttMs)}`).join(', ')}`);
      const readClick = await armClickTimestamp(leader);
      await leader.getByRole('button', { name: 'Play Tutti Demo' }).click({ timeout: 30_000 });
      clickHostMs = await readClick();
    } else {
      const refusal = await leader.evaluate(async () => {
        const debug = (window.tutti as unknown as { debug?: { playDemo?: () => Promise<string | null> } }).debug;
        if (debug?.playDemo === undefined) return 'window.tutti.debug.playDemo() is missing';
        return debug.playDemo();
      });
      if (refusal !== null) throw new Error(`playDemo refused: ${refusal}`);
    }
    const playStartHostMs = hostNowMs();
    // The demo lasts 180 s: for longer runs queue it again (gapless: each repeat starts where the last ends).
    const repeats = Math.ceil((seconds + 30) / 180) - 1;
    if (repeats > 0) {
      const refusal = await leader.evaluate(`(() => {
        const p = window.tutti.diagnostics().playback;
        const zone = p.zones.zones[p.ownZoneId];
        const entry = zone.queue[zone.currentIndex];
        return window.tutti.debug.command({ type: 'enqueue', zoneId: zone.zoneId, entries: Array(${repeats}).fill(entry) });
      })()`);
      if (refusal !== null) throw new Error(`could not queue the demo again: ${String(refusal)}`);
    }
    await Promise.all(speakers.map((s) => waitForDiagnostics(s.page, (d) => phaseOf(d) === 'playing', { what: 'playing', timeoutMs: 60_000 })));
    if (options.realtimeAudioService) await Promise.all(speakers.map((s) => makeAudioServiceRealtime(s)));

    let lateOpenHostMs: number | null = null;
    if (lateJoin) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, playStartHostMs + (seconds * 1000) / 3 - hostNowMs())));
      const late = await launchAudioSpeaker(room, n, options.pulseLatencyMs);
      speakers.push(late);
      lateOpenHostMs = hostNowMs();
      const boosted = options.realtimeAudioService ? makeAudioServiceRealtimeWhenUp(late) : Promise.resolve([]);
      await late.page.goto(url(n));
      await boosted;
      // The analysis decides when it is in sync; this only boosts its audio once it plays.
      await waitForDiagnostics(late.page, (d) => phaseOf(d) === 'playing', { what: 'late joiner playing', timeoutMs: seconds * 1000 })
        .then(() => (options.realtimeAudioService ? makeAudioServiceRealtime(late) : []))
        .catch((error: unknown) => console.error(`late joiner: ${(error as Error).message.slice(0, 200)}`));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, playStartHostMs + seconds * 1000 - hostNowMs())));
    const rounds: TraceRound[] = await trace.stop();
    const timingInputs = (await timingLogs?.stop()) ?? null;
    const lateJoiner = lateJoin ? speakers[n] : undefined;
    const lateJoinMarks = lateJoiner === undefined ? {} : await pageMarks(lateJoiner.page);
    const finals = await Promise.all(speakers.map((s) => diagnostics(s.page).catch(() => null)));
    const states = finals.map((d) => phaseOf(d) ?? '?');
    for (const [k, d] of finals.entries()) console.error(`S${k} engine: ${engineSummary(d)}`);
    const lateJoinStartWait = lateJoin ? startWaitOf(finals[n]) : [];
    const recording = await recorder.stop();
    console.error(`the room sink's clock ran ${recording.sinkRatePpm.toFixed(1)} ppm fast against the host clock (from the recording's arrivals)`);
    await disposeAllGuarded();

    console.error(`recorded ${(recording.frameCount / recording.rateHz).toFixed(1)} s (phases at the end: ${states.join(', ')}); analysing…`);
    const rateHz = recording.rateHz;
    const reference = options.reference.monoAt(rateHz, Math.min(options.reference.durationSec, seconds + 20));
    const fromFrame = Math.max(0, Math.round(recording.frameAt(clickHostMs ?? playStartHostMs)));
    // The demo repeats gaplessly in long runs: positions compare modulo its duration.
    const loopSec = options.reference.durationSec;
    const plans = tracedPlans(rounds);
    const planned = plans.at(-1);
    // Shared time to host time as the clock's keeper mapped it (leadership can move off the first
    // tab under load: mapping through its timeOrigin put the absolute errors 23.5 s off).
    const sharedZeroHostMsAt = sharedZeroHostMsNear(rounds);
    // Where the plan has the track at a recording frame (within the reference: it wraps like the demo's loop).
    const expectedPositionSec = (frame: number): number => {
      if (planned === undefined) return Number.NaN;
      const positionSec = plannedPositionSec(recording.hostMsAt(frame), planned, sharedZeroHostMsAt);
      return ((positionSec % loopSec) + loopSec) % loopSec;
    };
    // Each channel once: a 10-minute recording's is 115 MB.
    const monos = speakers.map((_, k) => recording.speakerMono(k));
    // Windows start once every original speaker has sounded, on the hop grid from the click: a
    // window straddling a speaker's first sound locked 1.6 s and 2.7 s off in two runs, and the
    // wrong lock kept that channel from locking right for 2.5 s.
    const hop = Math.round(0.1 * rateHz);
    const soundedFrame = Math.max(fromFrame, ...monos.slice(0, n).map((mono) => firstOnsetFrame(mono, fromFrame, 0.003) ?? fromFrame));
    const trackFrom = fromFrame + Math.ceil((soundedFrame - fromFrame) / hop) * hop;
    const cleaned = monos.map((mono) => dropLoneOutliers(trackPlayout(reference, mono, { rateHz, fromFrame: trackFrom, hopSec: hop / rateHz, loops: true, expectedPositionSec }), rateHz));
    const tracks: PlayoutWindow[][] = cleaned.map((c) => c.windows);
    const loneOutliers = cleaned.map((c) => c.dropped);
    const originals = tracks.slice(0, n);
    // Steady state: from the first window where every original speaker is locked.
    const allLocked = originals[0]!.find((_w, i) => originals.every((t) => t[i]?.trackPositionSec != null))?.recordingFrame ?? Infinity;
    const steady = originals.map((t) => t.filter((w) => w.recordingFrame >= allLocked));
    const pairs = [];
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const offsets = pairwiseOffsetsMs(steady[a]!, steady[b]!, loopSec);
        const over = checkReadingsBeyond(offsets, monos[a]!, monos[b]!, { rateHz, thresholdMs: 1, fromFrame });
        const series = directPairSeries(monos[a]!, monos[b]!, offsets.map((o) => o.recordingFrame), { rateHz, searchSec: 0.02 });
        pairs.push({ pair: `S${a}–S${b}`, stats: absStats(offsets.map((o) => o.valueMs)), over, direct: { stats: absStats(series.offsetsMs), unclear: series.unclear } });
      }
    }
    const truth = errorsVsOthersMs(steady, 1, loopSec);
    const estimates = compareEstimates(rounds, truth, (frame) => recording.hostMsAt(frame), recording.hostMsAt(allLocked));
    const absoluteTruth = planned === undefined ? [] : steady.map((windows) => absoluteErrorsMs(windows, (frame) => recording.hostMsAt(frame), planned, sharedZeroHostMsAt, loopSec));
    const absolute = compareAbsolute(rounds, absoluteTruth, recording.hostMsAt(allLocked));
    const perSpeaker = truth.map((errors, k) => ({
      speaker: `S${k}`,
      injected: `${clocks[k]!.offsetMs} ms, ${clocks[k]!.ratePpm} ppm (${states[k]})`,
      stats: absStats(errors.map((e) => e.valueMs)),
      discontinuities: countDiscontinuities(steady[k]!, rateHz),
      locked: `${steady[k]!.filter((w) => w.trackPositionSec !== null).length}/${steady[k]!.length}`,
    }));

    let pressToSoundMs: AppSyncReport['pressToSoundMs'] = null;
    if (clickHostMs !== null) {
      const onsets = monos.slice(0, n).map((mono) => firstOnsetFrame(mono, recording.frameAt(clickHostMs!), 0.003));
      const each = onsets.map((f) => (f === null ? null : recording.hostMsAt(f) - clickHostMs!));
      const found = each.filter((ms): ms is number => ms !== null);
      const firstPlan = plans.find((plan) => plan.hostMs >= clickHostMs!);
      const plannedLeadMs = firstPlan === undefined ? null : firstPlan.startSharedMs - (clickHostMs - sharedZeroHostMsAt(clickHostMs));
      pressToSoundMs = { first: found.length > 0 ? Math.min(...found) : null, all: found.length === n ? Math.max(...found) : null, each, plannedLeadMs: Number.isFinite(plannedLeadMs) ? plannedLeadMs : null };
    }
    let lateJoinMs: Milliseconds | null | undefined;
    const lateTruth = lateOpenHostMs === null ? [] : errorsVsOthersMs(tracks, n, loopSec)[n]!;
    if (lateOpenHostMs !== null) {
      const inSync = firstInSync(lateTruth, 1, 3);
      lateJoinMs = inSync === null ? null : recording.hostMsAt(inSync.recordingFrame) - lateOpenHostMs;
    }
    const lateTruthHost = lateTruth.map((e) => ({ hostMs: recording.hostMsAt(e.recordingFrame), valueMs: e.valueMs }));
    const joinPhases = lateOpenHostMs === null ? [] : lateJoinPhases(lateTruthHost, lateOpenHostMs);
    if (options.traceFile !== undefined) {
      writeFileSync(options.traceFile, JSON.stringify({ rounds, timingInputs, absoluteTruth, lateOpenHostMs, lateJoinMarks, lateJoinStartWait, lateTruth: lateTruthHost }));
    }
    if (options.recordingFile !== undefined) {
      const channels = [...monos, reference];
      writeFileSync(options.recordingFile, Buffer.concat(channels.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
      writeFileSync(`${options.recordingFile}.json`, JSON.stringify({ rateHz, fromFrame, lengths: channels.map((c) => c.length), names: [...speakers.map((_, k) => `S${k}`), 'reference'] }));
    }
    return { speakers: n, recordedSec: recording.frameCount / rateHz, sinkRatePpm: recording.sinkRatePpm, pairs, perSpeaker, pressToSoundMs, lateJoinMs, lateJoinMarks, lateJoinStartWait, lateJoinPhases: joinPhases, steadyWaitMs, loneOutliers, estimates, absolute };
  } finally {
    await disposeAllGuarded();
  }
}

const f = (ms: number | null | undefined, digits = 3): string => (ms === null || ms === undefined || !Number.isFinite(ms) ? '—' : ms.toFixed(digits));

/** Markdown report of {@link runAppSyncBenchmark}. */
export function formatAppSyncReport(report: AppSyncReport): string {
  const row = (name: string, s: AbsStats, extra: string): string =>
    `| ${name} | ${s.samples} | ${f(s.medianSignedMs)} | ${f(s.p95AroundMedianMs)} | ${f(s.p50Ms)} | ${f(s.p95Ms)} | ${f(s.p99Ms)} | ${f(s.maxMs)} | ${s.p95Ms <= 0.25 && s.maxMs <= 1 ? 'met' : 'MISSED'} |${extra}`;
  const lines = [
    `### Playout error from the rendered audio: ${report.speakers} speakers, ${report.recordedSec.toFixed(1)} s recorded (target p95 ≤ 0.25 ms, max ≤ 1 ms)`,
    '',
    'The "± median" column is the p95 of |offset − its median|: how steadily the offset is held (drift',
    'correction), apart from its constant part (the output-latency model).',
    '',
    `The room sink's clock ran ${report.sinkRatePpm.toFixed(0)} ppm fast against the host clock (the speakers' shared timeline runs on the host clock, so each must correct that much).`,
    '',
    report.steadyWaitMs === null
      ? 'Pressed as soon as the recorder ran (its capture moves the sink latency: the first ~20 s hold that transient).'
      : `Pressed once every speaker's output timing had been steady after the recorder started (${(report.steadyWaitMs / 1000).toFixed(1)} s; its capture moves the sink latency).`,
    '',
    '| pair | windows | median ms | ± median p95 ms | p50 abs ms | p95 abs ms | p99 abs ms | max abs ms | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...report.pairs.map((p) => row(p.pair, p.stats, '')),
    '',
    'Cross-check: each pair read directly from its two recorded channels at the same windows (where one channel matches the other\'s window within ±20 ms), without the reference track; unclear: silent, or a runner-up within 3 %.',
    '',
    '| pair | clear windows | unclear | median ms | ± median p95 ms | p95 abs ms | max abs ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...report.pairs.map((p) => `| ${p.pair} | ${p.direct.stats.samples} | ${p.direct.unclear} | ${f(p.direct.stats.medianSignedMs)} | ${f(p.direct.stats.p95AroundMedianMs)} | ${f(p.direct.stats.p95Ms)} | ${f(p.direct.stats.maxMs)} |`),
    '',
    `Windows over 1 ms apart (s after the ${report.pressToSoundMs === null ? 'start of play' : 'press'}: ms; at most 8 a pair; in brackets the pair read directly from the two channels, without the reference: ms, peak / runner-up): ${report.pairs.filter((p) => p.over.length > 0).map((p) => `${p.pair} ${formatCheckedReadings(p.over)}`).join('; ') || 'none'}.`,
    '',
    'Per speaker: error vs the mean of the others (positive = late).',
    '',
    '| speaker | windows | median ms | ± median p95 ms | p50 abs ms | p95 abs ms | p99 abs ms | max abs ms | target | injected clock (phase at end) | jumps | locked |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|',
    ...report.perSpeaker.map((s) => row(s.speaker, s.stats, ` ${s.injected} | ${s.discontinuities} | ${s.locked} |`)),
    '',
    `Windows left out as lone correlation outliers (over 1 ms off both neighbours, which agree within 0.2 ms; not counted as locked): ${report.loneOutliers.map((count, k) => `S${k} ${count}`).join(', ')}.`,
  ];
  lines.push('', formatEstimates(report.estimates, "The app's estimate vs the rendered truth, each relative to the others (truth − estimate):"));
  lines.push('', formatEstimates(report.absolute, "The app's estimate vs the absolute truth, heard − planned on the authority's clock (truth − estimate; the bias includes the recording's own latency, common to all):"));
  if (report.pressToSoundMs !== null) {
    const { first, all, each, plannedLeadMs } = report.pressToSoundMs;
    const perSpeaker = each.map((ms, k) => `S${k} ${f(ms, 1)}`).join(', ');
    lines.push('', `Press-to-sound (click "Play Tutti Demo" → first sound): first speaker ${f(first, 1)} ms, all speakers ${f(all, 1)} ms (${perSpeaker}; target ≤ 250 ms: ${all !== null && all <= 250 ? 'met' : 'MISSED'}); the leader planned the start ${f(plannedLeadMs, 1)} ms after the click`);
  }
  if (report.lateJoinMs !== undefined) {
    const ms = report.lateJoinMs;
    lines.push('', `Late join (open URL → within 1 ms of the others for 3 windows): ${f(ms, 0)} ms (target ≤ 2000 ms: ${ms !== null && ms <= 2000 ? 'met' : 'MISSED'})`);
    lines.push('', `The late joiner's own marks (ms from its navigation start): ${JOIN_MARKS.map((name) => `${name} ${markCell(report.lateJoinMarks, name)}`).join(', ')}`);
    lines.push('', `What held its first voice back, from when (same ms): ${startWaitText(report.lateJoinStartWait)}`);
    lines.push('', formatJoinPhases(report.lateJoinPhases));
  }
  return lines.join('\n');
}
