/**
 * Late-join benchmark: a room of speakers plays a 5.3 MB WAV (60 s of 16-bit mono at 44.1 kHz)
 * added on the first; then a new speaker opens the room URL and the
 * time to each step of its join is printed: page up, leader known, clock converged, track
 * received, decoded, playing, and in sync (|estimated error| < 1 ms, known to < 1 ms, on 3 polls in a
 * row that each see a new measurement: a first estimate of 0.02 ± 13 ms counted as in sync before,
 * and so did one measurement of −0.93 ms seen by 3 polls, its speaker ~1.2 ms off for 3 s after). Also
 * reports whether the join disturbed the room: its leader, its schedule, and the re-schedules of
 * the room's speakers during the join (the drift loop's, e.g. after an underrun on a busy machine).
 *
 *   npm run bench:late-join                  3 speakers already playing, 3 joins
 *   npm run bench:late-join -- --speakers 1 --joins 5
 *   npm run bench:late-join -- --trace       also prints the joiner's output timing at every 50 ms poll
 *
 * Every 0.5 s the joiner's progress goes to stderr: transfer, parts, the clock replies since the
 * last line (count, round trip min/median/max: the joiner opens with `&debug=1` for them),
 * playout error, its clock's error against the leader's on the machine's one clock, and output timing.
 * "In sync" here is the joiner's own estimate; `npm run bench:sync` checks the rendered audio.
 * "ownInSync" dates it by the joiner's own measurements instead of the polls: the first of 3 in a
 * row within 1 ms (error and σ), at the shared time heard (its drift ticks, ~200 ms apart). A page
 * busy joining answers a poll 300–400 ms late, so 3 polls in a row lag the speaker by up to ~1 s.
 * A second table gives the page's own performance marks (ms from its navigation start, no poll
 * lag): "main" the app's entry code runs, "output" its audio output's frame counter has loaded (the
 * render clock starts), "stores" its device record read from IndexedDB, "code" the room's code
 * loaded, "signaling" registering with signaling starts, "joined" registered,
 * "ready" the controls are up, then the join's steps (src/shell/join-marks.ts): a leader known,
 * the clock converged on it, the demo's render ordered (a join of the demo), a transfer receiving,
 * the music scheduled, playing, and the demo made (bench/page-marks.ts); then what held its first
 * voice back, from when (src/sync/start-wait-log.ts).
 * The joiner's Chromium is started first with a blank page ("launch": the machine, not the app);
 * the clock starts when that page opens the room URL, as on a device whose browser is running.
 */
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { encodeWavPcm16 } from '../src/media/wav.js';
import { diagnostics, launchBlankSpeaker, launchSpeaker, startServer, waitForDiagnostics, type Speaker } from '../test/e2e/harness.js';
import type { Diagnostics } from '../src/shell/diagnostics.js';
import { roundTrip, type ClockSample } from '../src/sync/envelope.js';
import { libraryIds } from './app-sync.js';
import { JOIN_MARKS, markCell, pageMarks, startWaitOf, startWaitText } from './page-marks.js';
import { disposeAllGuarded, guard } from './process-guard.js';
import { hasFlag, numberArg } from './cli-args.js';
import { percentile } from './stats.js';
import type { SyncRunState } from '../src/sync/sync-run.js';

interface Transfer { phase: string; fraction: number; receivedBytes: number; sources: number }
interface PlaybackView {
  parts?: { sliceable: boolean | null; fromChunk: number | null; offeredStartSec: number | null; offeredEndSec: number | null; offers: number; clockHoldSinceMs?: number | null } | null;
  timing: { syncRun?: SyncRunState; uncertaintyMs?: number; confirmed?: boolean; contradicted?: boolean; mode?: string; partUpgrades?: number; renderRestarts?: number; underrunEvents?: number | null; renderBuckets?: number; readings?: Record<string, number>; renderReports?: number } | null;
  report: { phase: string; trackId: string | null; errorMs: number | null; uncertaintyMs?: number | null; ratePpm?: number | null; reschedules: number; positionSec: number | null };
  zones: { zones: Record<string, { startSharedMs: number | null }> };
  libraryTrackIds: string[];
  transfers: Transfer[];
}

const STEPS = ['page', 'leader', 'clock', 'receiving', 'received', 'decoded', 'playing', 'inSync', 'ownInSync'] as const;
type Step = (typeof STEPS)[number];

const roomSize = numberArg('speakers', 3);
const joins = numberArg('joins', 3);
const trace = hasFlag('trace');

function wavBytes(seconds: number, rateHz: number): Buffer {
  const frames = seconds * rateHz;
  const mono = new Float32Array(frames);
  let seed = 1;
  for (let i = 0; i < frames; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    mono[i] = 0.2 * Math.sin((2 * Math.PI * 300 * i) / rateHz) + (seed / 2 ** 32 - 0.5) * 0.1;
  }
  return Buffer.from(encodeWavPcm16([mono], rateHz, { title: 'Late Join Test' }));
}

async function playbackOf(page: Page): Promise<{ leaderId: string | null; selfId: string; converged: boolean; clockUncertaintyMs: number; time: Diagnostics['time']; p: PlaybackView | null } | null> {
  const d = await diagnostics(page).catch(() => null);
  if (d === null) return null;
  return { leaderId: d.leaderId, selfId: d.selfId, converged: d.clock.converged, clockUncertaintyMs: d.clock.uncertaintyMs, time: d.time, p: d.playback as unknown as PlaybackView | null };
}

/** Shared time (ms) a tab's snapshot puts at machine time `epochMs` (its clock's rate over the few ms between is negligible). */
function sharedAtEpoch(time: Diagnostics['time'], epochMs: number): number {
  return time.sharedNowMs + (epochMs - (time.timeOriginMs + time.perfNowMs));
}

/** Machine time (ms since the epoch) at which a tab's shared clock reads `sharedMs` (its rate over the few s between is negligible). */
function epochOfShared(time: Diagnostics['time'], sharedMs: number): number {
  return time.timeOriginMs + time.perfNowMs - (time.sharedNowMs - sharedMs);
}

/** The joiner's shared clock minus the room leader's at the joiner's snapshot, ms: its clock error on the machine's one clock. */
async function clockTruthErrorMs(joinerTime: Diagnostics['time'], leaderPage: Page): Promise<number | null> {
  const leader = await diagnostics(leaderPage).catch(() => null);
  if (leader === null) return null;
  const epochMs = joinerTime.timeOriginMs + joinerTime.perfNowMs;
  return sharedAtEpoch(joinerTime, epochMs) - sharedAtEpoch(leader.time, epochMs);
}

/** The joiner's latest raw clock samples (local ms), oldest first; empty when unavailable. */
async function clockSamples(page: Page): Promise<ClockSample[]> {
  return page.evaluate(() => (window as unknown as { tutti?: { debug?: { clockSamples(): ClockSample[] } } }).tutti?.debug?.clockSamples() ?? []).catch(() => []);
}

/** "n, round trip min/median/max ms" of clock samples (the estimator's round trip: the leader's hold excluded). */
function rttSummary(samples: readonly ClockSample[]): string {
  if (samples.length === 0) return '0';
  const rtts = samples.map(roundTrip).sort((a, b) => a - b);
  return `${rtts.length}, rtt ${rtts[0]!.toFixed(1)}/${percentile(rtts, 0.5).toFixed(1)}/${rtts.at(-1)!.toFixed(1)} ms`;
}

/** Polls the joiner every 50 ms; returns ms from opening the URL to each step. */
async function timeJoin(joiner: Speaker, openedMs: number, trackId: string, roomLeader: string, leaderPage: Page): Promise<{ steps: Partial<Record<Step, number>>; everLed: boolean; leaders: Set<string> }> {
  const steps: Partial<Record<Step, number>> = {};
  const leaders = new Set<string>();
  let everLed = false;
  let syncedPolls = 0;
  let lastCounted: string | null = null;
  let lastTransferLogMs = -Infinity;
  let lastSampleT3 = -Infinity;
  // A step is dated by the poll that saw it, not by when the loop got to it (the progress line
  // awaits the leader's diagnostics first: up to ~0.3 s on a busy machine).
  let polledMs = 0;
  const mark = (step: Step): void => {
    steps[step] ??= polledMs;
  };
  // A build without the joiner's own run (older than the SyncRun) is done 3 s after the polls.
  const done = (): boolean => steps.inSync !== undefined && (steps.ownInSync !== undefined || performance.now() - openedMs > steps.inSync + 3_000);
  while (!done()) {
    if (performance.now() - openedMs > 55_000) {
      const d = await diagnostics(joiner.page).catch(() => null);
      const p = d?.playback as unknown as PlaybackView | null | undefined;
      console.error(`  not in sync after 55 s: ${JSON.stringify({ members: d?.members.map((m) => [m.peerId.slice(-4), m.state]), transfers: p?.transfers, parts: p?.parts, report: p?.report })}`);
      break;
    }
    const v = await playbackOf(joiner.page);
    polledMs = performance.now() - openedMs;
    if (v !== null) {
      mark('page');
      if (v.leaderId !== null) leaders.add(v.leaderId);
      if (v.leaderId === v.selfId) everLed = true;
      if (v.leaderId === roomLeader) mark('leader');
      if (v.converged && v.leaderId === roomLeader) mark('clock');
      const p = v.p;
      if (p !== null) {
        const receiving = p.transfers.find((t) => t.phase === 'receiving');
        const atMs = polledMs;
        if (atMs - lastTransferLogMs >= 500) {
          lastTransferLogMs = atMs;
          const transfer = receiving === undefined ? 'no transfer' : `${(receiving.receivedBytes / 1e6).toFixed(2)} MB from ${receiving.sources} speakers`;
          const view = p.parts ?? null;
          const hold = view?.clockHoldSinceMs === null || view?.clockHoldSinceMs === undefined ? '' : ', fetch held for the clock';
          const parts = view === null || view.offers === 0 ? 'no part yet' : `${view.offers} part(s), last ${view.offeredStartSec?.toFixed(2)}–${view.offeredEndSec?.toFixed(2)} s${hold}`;
          const samples = (await clockSamples(joiner.page)).filter((s) => s.t3 > lastSampleT3);
          lastSampleT3 = samples.at(-1)?.t3 ?? lastSampleT3;
          const truthMs = await clockTruthErrorMs(v.time, leaderPage);
          console.error(`  ${(atMs / 1000).toFixed(1)} s: ${transfer}; ${parts}; clock replies ${rttSummary(samples)}; phase ${p.report.phase} at ${p.report.positionSec?.toFixed(2) ?? '—'} s, error ${p.report.errorMs?.toFixed(2) ?? '—'} ± ${p.report.uncertaintyMs?.toFixed(2) ?? '—'} ms (clock ± ${v.clockUncertaintyMs.toFixed(2)}, off the leader's by ${truthMs?.toFixed(2) ?? '—'}; output ± ${p.timing?.uncertaintyMs?.toFixed(2) ?? '—'}), rate ${p.report.ratePpm?.toFixed(0) ?? '—'} ppm, re-schedules ${p.report.reschedules}; output ${p.timing?.mode ?? '—'}${p.timing?.confirmed === true ? ', confirmed' : ''}${p.timing?.contradicted === true ? ', contradicted' : ''} (render restarts ${p.timing?.renderRestarts ?? '—'}, underruns ${p.timing?.underrunEvents ?? '—'}, readings ${JSON.stringify(p.timing?.readings ?? null)}, render reports ${p.timing?.renderReports ?? '—'})`);
        }
        if (trace) console.error(`  ${(atMs / 1000).toFixed(2)} s timing ${JSON.stringify(p.timing)}`);
        if (receiving !== undefined) mark('receiving');
        if (p.libraryTrackIds.includes(trackId)) mark('received');
        const phase = p.report.trackId === trackId ? p.report.phase : '';
        if (phase === 'scheduled' || phase === 'playing') mark('decoded');
        if (phase === 'playing') mark('playing');
        const knownMs = p.report.uncertaintyMs ?? Infinity;
        // A poll counts only with a new measurement (a fast poll can see one measurement 3 times).
        const inBounds = phase === 'playing' && Math.abs(p.report.errorMs ?? Infinity) < 1 && knownMs < 1;
        const measurement = `${p.report.errorMs}/${knownMs}`;
        if (!inBounds) syncedPolls = 0;
        else if (measurement !== lastCounted) syncedPolls++;
        lastCounted = inBounds ? measurement : null;
        if (syncedPolls >= 3) mark('inSync');
        const run = p.timing?.syncRun;
        if (run !== undefined && run.measurements >= 3 && run.sinceSharedMs !== null) {
          steps.ownInSync ??= epochOfShared(v.time, run.sinceSharedMs) - (performance.timeOrigin + openedMs);
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { steps, everLed, leaders };
}

const speakers: Speaker[] = [];
const server = await startServer();
guard(() => server.close());
guard(() => Promise.all(speakers.map((s) => s.close())).then(() => undefined));
try {
  const room = `latejoin${Date.now().toString(36)}`;
  const url = (name: string, extra: string): string => `${server.origin}/?room=${room}&name=${name}${extra}`;
  const offsets = ['&clockOffsetMs=3000&clockRatePpm=120', '&clockOffsetMs=-2000&clockRatePpm=-150', '&clockOffsetMs=1000&clockRatePpm=50'];
  speakers.push(await launchSpeaker(url('S0', offsets[0]!)));
  const first = speakers[0]!.page;
  await waitForDiagnostics(first, (d) => d.leaderId === d.selfId, { what: 'first speaker leads', timeoutMs: 60_000 });
  const bytes = wavBytes(60, 44100);
  await first.locator('input[type=file]').setInputFiles({ name: 'late-join.wav', mimeType: 'audio/wav', buffer: bytes });
  await first.getByRole('button', { name: 'Play Late Join Test' }).click({ timeout: 60_000 });
  const trackId = await (async () => {
    for (;;) {
      const v = await playbackOf(first);
      if (v?.p?.report.phase === 'playing' && v.p.report.trackId !== null) return v.p.report.trackId;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  for (let k = 1; k < roomSize; k++) speakers.push(await launchSpeaker(url(`S${k}`, offsets[k % offsets.length]!)));
  for (const s of speakers) {
    await waitForDiagnostics(s.page, (d) => (d.playback as unknown as PlaybackView | null)?.report.phase === 'playing', { what: 'room playing', timeoutMs: 120_000 });
  }
  // A room that has played a while has made its demo track (seconds of CPU on each speaker, once
  // it plays in sync): made during the first join, it slowed that join on this 2-core machine.
  for (const s of speakers) {
    await waitForDiagnostics(s.page, (d) => libraryIds(d).length >= 2, { what: 'demo track made', timeoutMs: 180_000 });
  }
  const roomLeader = (await playbackOf(first))!.leaderId!;
  console.error(`room of ${roomSize} playing ${(bytes.length / 1e6).toFixed(1)} MB track; ${joins} joins…`);
  const rows: string[] = [];
  const markRows: string[] = [];
  for (let j = 0; j < joins; j++) {
    // Restart the 60 s track so the joiner finds it playing (and 55 s of runway). A press that
    // crosses the track's end (the queue moves on to the demo) is pressed again.
    const restarted = (d: Diagnostics): boolean => {
      const p = d.playback as unknown as PlaybackView | null;
      return p?.report.phase === 'playing' && p.report.trackId === trackId && (p.report.positionSec ?? Infinity) < 10;
    };
    for (let attempt = 1; ; attempt++) {
      await first.getByRole('button', { name: 'Play Late Join Test' }).click({ timeout: 60_000 });
      try {
        for (const s of speakers) await waitForDiagnostics(s.page, restarted, { what: 'room restarted the track', timeoutMs: 20_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    const before = await Promise.all(speakers.map((s) => playbackOf(s.page)));
    const launched = performance.now();
    const joiner = await launchBlankSpeaker();
    const unguard = guard(() => joiner.close());
    const launchMs = performance.now() - launched;
    const opened = performance.now();
    void joiner.page.goto(url(`J${j}`, '&clockOffsetMs=-999&clockRatePpm=90&debug=1')).catch(() => undefined);
    const { steps, everLed, leaders } = await timeJoin(joiner, opened, trackId, roomLeader, first);
    const marks = await pageMarks(joiner.page);
    const startWait = startWaitOf(await diagnostics(joiner.page).catch(() => null));
    const after = await Promise.all(speakers.map((s) => playbackOf(s.page)));
    const schedule = (v: Awaited<ReturnType<typeof playbackOf>>): string => JSON.stringify(Object.values(v?.p?.zones.zones ?? {}).map((z) => z.startSharedMs));
    const leaderKept = after.every((v) => v?.leaderId === roomLeader);
    if (!leaderKept) {
      console.error(`  room leader ${roomLeader}; after the join the speakers follow ${after.map((v) => v?.leaderId ?? 'none').join(', ')}; the joiner saw ${[...leaders].join(', ')}`);
      // How each speaker lost the leader (silence: deposed while unheard; left; stepped down).
      for (const [k, s] of speakers.entries()) {
        const changes = (await diagnostics(s.page).catch(() => null))?.leaderChanges ?? [];
        const lost = changes.filter((c) => c.lost !== null).map((c) => `${c.lost!.leaderId} ${c.lost!.cause} (term ${c.term})`);
        console.error(`  S${k} lost: ${lost.join('; ') || 'nothing'}`);
      }
    }
    const scheduleKept = after.every((v, i) => schedule(v) === schedule(before[i]!));
    if (!scheduleKept) console.error(`  the room's zone starts (shared ms) before the join ${before.map(schedule).join(', ')}; after it ${after.map(schedule).join(', ')}`);
    const reschedules = after.map((v, i) => (v?.p?.report.reschedules ?? 0) - (before[i]?.p?.report.reschedules ?? 0)).join('/');
    const cell = (step: Step): string => (steps[step] === undefined ? '—' : steps[step]!.toFixed(0));
    rows.push(`| ${j + 1} | ${launchMs.toFixed(0)} | ${STEPS.map(cell).join(' | ')} | ${everLed ? 'yes' : 'no'} | ${leaders.size} | ${leaderKept ? 'yes' : 'NO'} | ${scheduleKept ? 'yes' : 'NO'} | ${reschedules} |`);
    markRows.push(`| ${j + 1} | ${JOIN_MARKS.map((name) => markCell(marks, name)).join(' | ')} | ${cell('ownInSync')} | ${startWaitText(startWait)} |`);
    console.error(rows.at(-1));
    console.error(markRows.at(-1));
    await joiner.close();
    unguard();
  }
  console.log(`### Late join: room of ${roomSize} playing a ${(bytes.length / 1e6).toFixed(1)} MB WAV; ms from opening the URL (target: in sync ≤ 2000 ms)`);
  console.log('');
  console.log(`| join | launch | ${STEPS.join(' | ')} | joiner led | leaders seen | room kept its leader | room kept its schedule | room re-schedules |`);
  console.log(`|---:|---:|${STEPS.map(() => '---:').join('|')}|---|---:|---|---|---|`);
  for (const row of rows) console.log(row);
  console.log('');
  console.log("The joiner's own performance marks (ms from its navigation start: no poll lag), ownInSync again, and what held its first voice back from when (its engine's start-wait log, same ms):");
  console.log('');
  console.log(`| join | ${JOIN_MARKS.join(' | ')} | ownInSync | held by |`);
  console.log(`|---:|${JOIN_MARKS.map(() => '---:').join('|')}|---:|---|`);
  for (const row of markRows) console.log(row);
} finally {
  await disposeAllGuarded();
}
