/**
 * `npm run bench:cpu`: what a playing speaker costs the machine. The rig of bench:calibrate
 * (playing-room.ts: N Chromium speakers playing the demo into a private PulseAudio room) plays;
 * once the outputs are steady, each speaker's process tree is read from /proc over a window and
 * its CPU is printed as a share of one core, per process kind and per renderer thread, with the
 * underruns Chromium counted meanwhile. Nothing polls the pages during the window.
 *   npm run bench:cpu                               3 speakers, a 30 s window
 *   npm run bench:cpu -- --speakers 2 --seconds 60 --steady-seconds 10
 *   npm run bench:cpu -- --profile-seconds 10      then S1's main thread profiled (V8 sampling)
 *   npm run bench:cpu -- --speakers 4 --frame-counter-message 1,3   S1 and S3's frame counters post
 * The underruns are Chromium's count (AudioContext.playbackStats) over the window and over the
 * page's whole life (its start: joining, making the demo, decoding).
 */
import type { Page } from 'playwright-core';
import { diagnostics } from '../test/e2e/harness.js';
import { numberArg, stringArg } from './cli-args.js';
import { byKind, snapshotTree, usageBetween } from './cpu-usage.js';
import { disposeAllGuarded, runGuarded } from './process-guard.js';
import { startPlayingRoom } from './playing-room.js';
import { profileMainThread } from './main-thread-profile.js';

const n = numberArg('speakers', 3);
const seconds = numberArg('seconds', 30);
const steadySec = numberArg('steady-seconds', 10);
const pulseLatencyMs = numberArg('pulse-latency-ms', 40);
const profileSec = numberArg('profile-seconds', 0);
/** Speakers whose frame counter posts its frames (`&frameCounter=message`) instead of writing shared memory. */
const posting = new Set((stringArg('frame-counter-message') ?? '').split(',').filter((v) => v !== '').map(Number));

const KINDS = ['renderer', 'audio-service', 'gpu-process', 'browser', 'network', 'utility'] as const;
/** Renderer threads listed by name; the rest are summed as "other". */
const TOP_THREADS = 6;

const f = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(1));

/** Chromium's underrun count for the page (timing.underrunEvents, NaN if unknown) and how its frame counter reports. */
async function outputOf(page: Page): Promise<{ underruns: number; transport: string }> {
  const d = (await diagnostics(page)) as { playback?: { timing?: { underrunEvents?: number; frameTransport?: string | null } } | null } | null;
  return { underruns: d?.playback?.timing?.underrunEvents ?? Number.NaN, transport: d?.playback?.timing?.frameTransport ?? '—' };
}

await runGuarded(async () => {
  const rig = await startPlayingRoom({ speakers: n, pulseLatencyMs, playSec: seconds, steadySec, listener: false, speakerParams: (k) => (posting.has(k) ? '&frameCounter=message' : '') });
  await rig.trace.stop();
  await rig.recorder.stop();
  const pids = rig.speakers.map((s) => s.pid);
  if (pids.some((pid) => pid === undefined)) throw new Error('a speaker has no PID');
  const outputsBefore = await Promise.all(rig.speakers.map((s) => outputOf(s.page)));
  console.error(`reading /proc for ${seconds} s…`);
  const before = pids.map((pid) => snapshotTree(pid!));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = pids.map((pid) => snapshotTree(pid!));
  const outputsAfter = await Promise.all(rig.speakers.map((s) => outputOf(s.page)));
  const profile = profileSec > 0 ? await profileMainThread(rig.speakers[n > 1 ? 1 : 0]!.page, profileSec) : null;
  await disposeAllGuarded();

  const usages = before.map((b, k) => usageBetween(b, after[k]!));
  const lines = [`CPU of each playing speaker over ${seconds} s, % of one core (${n} speakers on ${(await import('node:os')).cpus().length} cores)`, ''];
  lines.push(`| speaker | frame counter | total | ${KINDS.join(' | ')} | underruns | underruns in its life |`, `|---|---|---:|${KINDS.map(() => '---:').join('|')}|---:|---:|`);
  usages.forEach((usage, k) => {
    const kinds = byKind(usage);
    const total = [...kinds.values()].reduce((a, b) => a + b, 0);
    const [before, now] = [outputsBefore[k]!, outputsAfter[k]!];
    lines.push(`| S${k} | ${now.transport} | ${f(total)} | ${KINDS.map((kind) => f(kinds.get(kind))).join(' | ')} | ${now.underruns - before.underruns} | ${now.underruns} |`);
  });
  const threadTotals = new Map<string, number>();
  for (const usage of usages) {
    for (const [label, percent] of usage) if (label.startsWith('renderer/')) threadTotals.set(label, (threadTotals.get(label) ?? 0) + percent);
  }
  const ranked = [...threadTotals].sort((a, b) => b[1] - a[1]);
  const shown = ranked.slice(0, TOP_THREADS).map(([label]) => label);
  lines.push('', 'Renderer threads (the renderers of one speaker together):', '', `| speaker | ${shown.map((l) => l.slice('renderer/'.length)).join(' | ')} | other |`, `|---|${shown.map(() => '---:').join('|')}|---:|`);
  usages.forEach((usage, k) => {
    const rest = [...usage].filter(([label]) => label.startsWith('renderer/') && !shown.includes(label)).reduce((sum, [, p]) => sum + p, 0);
    lines.push(`| S${k} | ${shown.map((label) => f(usage.get(label))).join(' | ')} | ${f(rest)} |`);
  });
  if (profile !== null) lines.push('', `S${n > 1 ? 1 : 0}'s main thread, sampled ${profileSec} s after the window (V8 CPU profile; self time, % of one core):`, '', ...profile);
  console.log(lines.join('\n'));
});
