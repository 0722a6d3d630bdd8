/**
 * Synchronized playback across three (then four) separate Chromium processes: a file added in one
 * reaches the others with progress shown; play, pause, seek and next act everywhere; a late joiner
 * plays in sync; killing the leader mid-song leaves the others playing; corrupt files are refused.
 * Sync here is judged by each speaker's own estimate and by the shared schedule; the rendered-audio
 * ground truth is `npm run bench:sync`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { encodeWavPcm16 } from '../../src/media/wav.js';
import { diagnostics, launchSpeaker, startServer, waitForDiagnostics, waitUntil, type Speaker } from './harness.js';

interface Report {
  phase: string;
  trackId: string | null;
  positionSec: number | null;
  errorMs: number | null;
  reschedules: number;
}
interface Zone {
  status: string;
  currentIndex: number;
  startSharedMs: number;
  queue: { trackId: string; title: string }[];
}
interface PlaybackDiagnostics {
  report: Report;
  zones: { zones: Record<string, Zone> };
  ownZoneId: string | null;
  libraryTrackIds: string[];
  timing?: unknown;
}

async function playback(page: Page): Promise<PlaybackDiagnostics | null> {
  const d = await diagnostics(page);
  return ((d as unknown as { playback?: PlaybackDiagnostics } | null)?.playback ?? null);
}

function waitForPlayback(page: Page, check: (p: PlaybackDiagnostics) => boolean, what: string, timeoutMs = 60_000): Promise<number> {
  return waitForDiagnostics(page, (d) => {
    const p = (d as unknown as { playback?: PlaybackDiagnostics }).playback;
    return p !== undefined && p !== null && check(p);
  }, { what, timeoutMs, intervalMs: 50 });
}

const ownZone = (p: PlaybackDiagnostics): Zone | undefined => (p.ownZoneId === null ? undefined : p.zones.zones[p.ownZoneId]);

/** A deterministic ~5.3 MB mono WAV at 22.05 kHz: 120 s of a slowly gliding chord with a noise-like texture. */
function testWav(title: string): Buffer {
  const rateHz = 22_050;
  const frames = 120 * rateHz;
  const mono = new Float32Array(frames);
  let seed = 12345;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 2 ** 32 - 0.5) * 0.05;
    const t = i / rateHz;
    mono[i] = 0.2 * Math.sin(2 * Math.PI * (220 + 0.75 * t) * t) + 0.1 * Math.sin(2 * Math.PI * 331 * t) + noise;
  }
  return Buffer.from(encodeWavPcm16([mono], rateHz, { title, artist: 'E2E' }));
}

/**
 * Record every value a "Receiving …" progress bar shows, from now on (pierces shadow roots). A
 * string script: the test's TypeScript transform would otherwise inject helpers the page lacks.
 */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const seen = [];
    window.progressSeen = seen;
    const visit = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLProgressElement && (el.getAttribute('aria-label') || '').startsWith('Receiving')) seen.push(el.value / (el.max || 1));
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    setInterval(() => visit(document), 20);
  })()`);
}

describe('synchronized playback', { timeout: 420_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const speakers = new Map<string, Speaker>();
  const room = `play${Date.now().toString(36)}`;
  const urlFor = (name: string, extra = ''): string => `${server.origin}/?room=${room}&name=${name}&debug=1${extra}`;
  const page = (name: string): Page => speakers.get(name)!.page;
  let fileTrackId = '';

  before(async () => {
    server = await startServer();
    const clocks: Record<string, string> = {
      A: '&clockOffsetMs=3000&clockRatePpm=120',
      B: '&clockOffsetMs=-5000&clockRatePpm=-150',
      C: '&clockOffsetMs=77.7&clockRatePpm=40',
    };
    for (const [name, extra] of Object.entries(clocks)) {
      speakers.set(name, await launchSpeaker(urlFor(name, extra)));
      if (name === 'A') await waitForDiagnostics(page('A'), (d) => d.leaderId === d.selfId, { what: 'A leads' });
    }
    for (const name of speakers.keys()) await waitForDiagnostics(page(name), (d) => d.members.length === 3 && d.leaderId !== null, { what: `${name} sees the room` });
  });

  after(async () => {
    await Promise.all([...speakers.values()].map((s) => s.close()));
    await server.close();
  });

  it('a file added on one speaker reaches the others, with progress shown', async () => {
    await page('A').getByRole('button', { name: 'Play Tutti Demo' }).waitFor({ timeout: 60_000 });
    for (const name of ['B', 'C']) await recordProgress(page(name));
    await page('A').locator('input[type=file]').setInputFiles({ name: 'glide.wav', mimeType: 'audio/wav', buffer: testWav('Glide') });
    await page('A').getByRole('button', { name: 'Play Glide' }).waitFor({ timeout: 60_000 });
    const a = (await playback(page('A')))!;
    const local = a.libraryTrackIds;
    await page('A').getByRole('button', { name: 'Play Glide' }).click();
    await waitForPlayback(page('A'), (p) => ownZone(p)?.status === 'playing', 'A playing');
    fileTrackId = ownZone((await playback(page('A')))!)!.queue[ownZone((await playback(page('A')))!)!.currentIndex]!.trackId;
    assert.ok(local.includes(fileTrackId));
    for (const name of ['B', 'C']) {
      await waitForPlayback(page(name), (p) => p.libraryTrackIds.includes(fileTrackId), `${name} received the file`);
      await waitForPlayback(page(name), (p) => p.report.phase === 'playing' && p.report.trackId === fileTrackId, `${name} playing it`);
      const seen = (await page(name).evaluate('window.progressSeen')) as number[];
      assert.ok(seen.some((f) => f > 0 && f < 1), `${name} showed transfer progress (saw ${seen.length} readings)`);
      await waitUntil(async () => (await page(name).getByRole('button', { name: 'Play Glide' }).count()) === 1, { what: `${name} lists the file` });
    }
  });

  it('play, pause, seek and next act on every speaker, on one shared schedule', async () => {
    await page('B').getByRole('button', { name: 'Play Tutti Demo' }).click();
    for (const name of speakers.keys()) {
      await waitForPlayback(page(name), (p) => p.report.phase === 'playing' && ownZone(p)?.queue[ownZone(p)!.currentIndex]?.title === 'Tutti Demo', `${name} plays the demo`);
    }
    const starts = await Promise.all([...speakers.keys()].map(async (n) => ownZone((await playback(page(n)))!)!.startSharedMs));
    assert.equal(new Set(starts).size, 1, 'one start time in shared time');
    for (const name of speakers.keys()) {
      await waitForPlayback(page(name), (p) => p.report.errorMs !== null && Math.abs(p.report.errorMs) < 2, `${name} estimates it is in sync`);
    }

    await page('C').getByRole('button', { name: 'Pause' }).click();
    for (const name of speakers.keys()) await waitForPlayback(page(name), (p) => p.report.phase === 'paused', `${name} paused`);

    await page('A').getByRole('slider', { name: 'Seek' }).fill('60');
    for (const name of speakers.keys()) await waitForPlayback(page(name), (p) => Math.abs((p.report.positionSec ?? 0) - 60) < 0.5, `${name} at 60 s`);
    await page('B').getByRole('button', { name: 'Resume' }).click();
    for (const name of speakers.keys()) {
      await waitForPlayback(page(name), (p) => p.report.phase === 'playing' && (p.report.positionSec ?? 0) > 60, `${name} resumed after 60 s`);
    }

    const before = ownZone((await playback(page('A')))!)!.currentIndex;
    await page('C').getByRole('button', { name: 'Next' }).click();
    for (const name of speakers.keys()) await waitForPlayback(page(name), (p) => ownZone(p)?.currentIndex === before + 1, `${name} moved to the next track`);
  });

  it('a late joiner plays in sync without disturbing the others', async () => {
    await page('A').getByRole('button', { name: 'Play Glide' }).click();
    for (const name of speakers.keys()) await waitForPlayback(page(name), (p) => p.report.phase === 'playing' && p.report.trackId === fileTrackId, `${name} plays Glide`);
    const scheduleOf = (p: PlaybackDiagnostics): string => {
      const z = ownZone(p)!;
      return JSON.stringify([z.startSharedMs, z.currentIndex, z.status, z.queue[z.currentIndex]?.trackId]);
    };
    const before = await Promise.all(['A', 'B', 'C'].map(async (n) => (await playback(page(n)))!));
    const opened = performance.now();
    speakers.set('D', await launchSpeaker(urlFor('D', '&clockOffsetMs=-999&clockRatePpm=90')));
    await waitForPlayback(page('D'), (p) => p.report.phase === 'playing' && p.report.trackId === fileTrackId && p.report.errorMs !== null && Math.abs(p.report.errorMs) < 2, 'D plays Glide in sync');
    console.log(`# late joiner (5.3 MB file fetched from peers) in sync ${(performance.now() - opened).toFixed(0)} ms after launch`);
    const after = await Promise.all(['A', 'B', 'C'].map(async (n) => (await playback(page(n)))!));
    // The joiner must not restart the room: same schedule everywhere, everyone still playing and
    // advancing. (Drift-loop re-schedules under this machine's load are reported, not asserted.)
    console.log(`# re-schedules of A, B, C during the join: ${after.map((p, i) => p.report.reschedules - before[i]!.report.reschedules).join(', ')}`);
    for (const [i, p] of after.entries()) {
      assert.equal(scheduleOf(p), scheduleOf(before[i]!), 'the room schedule is unchanged');
      assert.equal(p.report.phase, 'playing');
      assert.ok((p.report.positionSec ?? 0) > (before[i]!.report.positionSec ?? 0), 'still advancing');
    }
  });

  it('killing the leader mid-song leaves the others playing, without a restart', async () => {
    await page('C').getByRole('button', { name: 'Play Tutti Demo' }).click();
    for (const name of speakers.keys()) {
      await waitForPlayback(page(name), (p) => p.report.phase === 'playing' && ownZone(p)?.queue[ownZone(p)!.currentIndex]?.title === 'Tutti Demo', `${name} plays the demo`);
    }
    const leaderId = (await diagnostics(page('A')))!.leaderId;
    let leader = '';
    for (const name of speakers.keys()) if ((await diagnostics(page(name)))!.selfId === leaderId) leader = name;
    assert.ok(leader !== '', `the leader ${String(leaderId)} is one of the speakers`);
    const survivors = [...speakers.keys()].filter((n) => n !== leader);
    const before = new Map<string, { report: Report; atMs: number }>();
    for (const n of survivors) before.set(n, { report: (await playback(page(n)))!.report, atMs: performance.now() });
    await speakers.get(leader)!.kill();
    speakers.delete(leader);
    for (const n of survivors) await waitForDiagnostics(page(n), (d) => d.leaderId !== null && d.leaderId !== leaderId, { what: `${n} has a new leader` });
    for (const n of survivors) {
      const { report: old, atMs } = before.get(n)!;
      await waitForPlayback(page(n), (p) => p.report.phase === 'playing' && (p.report.positionSec ?? 0) > (old.positionSec ?? 0) + 1, `${n} keeps advancing`);
      const now = (await playback(page(n)))!.report;
      const elapsedSec = (performance.now() - atMs) / 1000;
      assert.equal(now.trackId, old.trackId, `${n} still plays the same track`);
      // No restart: the position went on with the time (a drift-loop crossfade is allowed, a jump is not).
      if (Math.abs((now.positionSec ?? 0) - (old.positionSec ?? 0) - elapsedSec) >= 0.5) {
        const timing = (await playback(page(n)))?.timing;
        assert.fail(`${n} position continuous: ${old.positionSec} → ${now.positionSec} in ${elapsedSec.toFixed(2)} s; before ${JSON.stringify(old)}; now ${JSON.stringify(now)}; timing ${JSON.stringify(timing)}`);
      }
      console.log(`# ${n}: re-schedules during the failover ${now.reschedules - old.reschedules}`);
    }
  });

  it('a corrupt file is refused with a message and adds nothing', async () => {
    const name = [...speakers.keys()][0]!;
    const before = (await playback(page(name)))!.libraryTrackIds.length;
    await page(name).locator('input[type=file]').setInputFiles({ name: 'broken.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('ID3 this is not really audio '.repeat(50)) });
    await page(name).getByRole('alert').filter({ hasText: 'broken.mp3' }).waitFor({ timeout: 30_000 });
    assert.equal((await playback(page(name)))!.libraryTrackIds.length, before);
  });
});
