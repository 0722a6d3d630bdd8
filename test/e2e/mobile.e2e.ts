/**
 * The mobile survival kit in real Chromium: the Media Session shows the zone's track and its
 * handlers (what lock-screen and hardware keys call) drive the room's playback; a Screen Wake Lock
 * is held while playing and taken again after the page returns; and after a trip to the
 * background during which the system suspended the AudioContext, the warning appears, audio
 * resumes and the engine resyncs. Chromium has no hardware keys or real backgrounding here, so an
 * init script captures the registered handlers, stands in for `navigator.wakeLock` (headless
 * Chromium refuses real locks) and lets the test flip `document.visibilityState`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { encodeWavPcm16 } from '../../src/media/wav.js';
import type { Diagnostics } from '../../src/shell/diagnostics.js';
import { diagnostics, launchSpeaker, startServer, waitForDiagnostics, waitUntil, type RunningServer, type Speaker } from './harness.js';

interface Report {
  phase: string;
  trackId: string | null;
  errorMs: number | null;
  reschedules: number;
}
interface Zone {
  status: string;
  currentIndex: number;
  startPositionSec: number;
  pausedPositionSec: number;
  revision: number;
  queue: { trackId: string; title: string; artist: string }[];
}
interface PlaybackView {
  report: Report;
  zones: { zones: Record<string, Zone> };
  ownZoneId: string | null;
}

/** A string script (the test's TypeScript transform would inject helpers the page lacks). */
const INIT_SCRIPT = `(() => {
  const handlers = {};
  window.__mediaHandlers = handlers;
  const session = navigator.mediaSession;
  const original = session.setActionHandler.bind(session);
  session.setActionHandler = (action, handler) => {
    if (handler === null) delete handlers[action]; else handlers[action] = handler;
    return original(action, handler);
  };
  const contexts = [];
  window.__audioContexts = contexts;
  const NativeContext = window.AudioContext;
  window.AudioContext = class extends NativeContext {
    constructor(...args) { super(...args); contexts.push(this); }
  };
  const locks = { requests: 0, held: [] };
  window.__wakeLocks = locks;
  Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: {
    request: async () => {
      locks.requests++;
      const listeners = [];
      const sentinel = {
        released: false,
        addEventListener: (type, listener) => listeners.push(listener),
        release: async () => {
          if (sentinel.released) return;
          sentinel.released = true;
          locks.held = locks.held.filter((s) => s !== sentinel);
          for (const listener of listeners) listener();
        },
      };
      locks.held.push(sentinel);
      return sentinel;
    },
  } });
  const nativePlay = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (...args) {
    window.__keepAlive = this;
    return nativePlay.apply(this, args);
  };
  window.__hidden = false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
  window.__setHidden = (hidden) => {
    window.__hidden = hidden;
    // The browser drops every wake lock when the page is hidden.
    if (hidden) for (const sentinel of [...locks.held]) void sentinel.release();
    document.dispatchEvent(new Event('visibilitychange'));
  };
})()`;

/** A deterministic mono WAV of `seconds` at 22.05 kHz: a quiet tone at `hz`. */
function toneWav(title: string, hz: number, seconds: number): Buffer {
  const rateHz = 22_050;
  const mono = new Float32Array(seconds * rateHz);
  for (let i = 0; i < mono.length; i++) mono[i] = 0.2 * Math.sin((2 * Math.PI * hz * i) / rateHz);
  return Buffer.from(encodeWavPcm16([mono], rateHz, { title, artist: 'Mobile Band', album: 'Lock Screen' }));
}

function view(d: Diagnostics): PlaybackView | null {
  return (d.playback as unknown as PlaybackView | null) ?? null;
}
const ownZone = (p: PlaybackView | null): Zone | undefined => (p === null || p.ownZoneId === null ? undefined : p.zones.zones[p.ownZoneId]);
const currentTitle = (z: Zone | undefined): string | undefined => z?.queue[z.currentIndex]?.title;

function waitForZone(page: Page, check: (zone: Zone, report: Report) => boolean, what: string): Promise<number> {
  return waitForDiagnostics(page, (d) => {
    const p = view(d);
    const zone = ownZone(p);
    return p !== null && zone !== undefined && check(zone, p.report);
  }, { what, timeoutMs: 60_000, intervalMs: 50 });
}

async function zoneNow(page: Page): Promise<Zone> {
  return ownZone(view((await diagnostics(page))!))!;
}

/** Calls the handler the app registered for `action`, as the lock screen would. */
async function press(page: Page, action: string, details: Record<string, unknown> = {}): Promise<void> {
  const found = await page.evaluate(`(() => {
    const handler = window.__mediaHandlers[${JSON.stringify(action)}];
    if (!handler) return false;
    handler({ action: ${JSON.stringify(action)}, ...${JSON.stringify(details)} });
    return true;
  })()`);
  assert.equal(found, true, `a "${action}" handler is registered`);
}

const mediaState = (page: Page): Promise<{ title: string; artist: string; album: string; state: string } | null> =>
  page.evaluate(() => {
    const m = navigator.mediaSession.metadata;
    return m === null ? null : { title: m.title, artist: m.artist, album: m.album, state: navigator.mediaSession.playbackState };
  });

describe('mobile survival kit', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let speaker: Speaker;
  let page: Page;

  before(async () => {
    server = await startServer();
    speaker = await launchSpeaker('about:blank');
    page = speaker.page;
    await page.addInitScript(INIT_SCRIPT);
    await page.goto(`${server.origin}/?room=mob${Date.now().toString(36)}&name=M`);
    await waitForDiagnostics(page, (d) => d.signaling === 'open' && d.leaderId === d.selfId, { what: 'leading its room' });
    await page.locator('input[type=file]').setInputFiles([
      { name: 'first.wav', mimeType: 'audio/wav', buffer: toneWav('First Tone', 330, 40) },
      { name: 'second.wav', mimeType: 'audio/wav', buffer: toneWav('Second Tone', 440, 40) },
    ]);
    for (const title of ['First Tone', 'Second Tone']) await page.getByRole('button', { name: `Play ${title}` }).waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await speaker?.close();
    await server?.close();
  });

  it('shows the track on the lock screen, and its handlers drive playback', async () => {
    await page.getByRole('button', { name: 'Play First Tone' }).click();
    await waitForZone(page, (z, r) => z.status === 'playing' && currentTitle(z) === 'First Tone' && r.phase === 'playing', 'First Tone playing');
    await waitUntil(async () => (await mediaState(page))?.state === 'playing', { what: 'media session playing' });
    assert.deepEqual(await mediaState(page), { title: 'First Tone', artist: 'Mobile Band', album: 'Lock Screen', state: 'playing' });

    await press(page, 'pause');
    await waitForZone(page, (z) => z.status === 'paused', 'paused by the pause handler');
    await waitUntil(async () => (await mediaState(page))?.state === 'paused', { what: 'media session paused' });

    await press(page, 'play');
    await waitForZone(page, (z, r) => z.status === 'playing' && r.phase === 'playing', 'resumed by the play handler');

    const beforeSeek = (await zoneNow(page)).revision;
    await press(page, 'seekto', { seekTime: 25 });
    await waitForZone(page, (z) => z.revision > beforeSeek && z.status === 'playing', 'seeked');
    assert.equal((await zoneNow(page)).startPositionSec, 25, 'the zone plays from the seek target');

    const before = await zoneNow(page);
    const nextTitle = before.queue[before.currentIndex + 1]!.title;
    await press(page, 'nexttrack');
    await waitForZone(page, (z) => z.currentIndex === before.currentIndex + 1 && z.status === 'playing', 'next track');
    await waitUntil(async () => (await mediaState(page))?.title === nextTitle, { what: `lock screen shows ${nextTitle}` });

    await press(page, 'previoustrack');
    await waitForZone(page, (z) => z.currentIndex === before.currentIndex && z.status === 'playing', 'previous track');
    await waitUntil(async () => (await mediaState(page))?.title === 'First Tone', { what: 'lock screen back on First Tone' });
  });

  it('holds a wake lock and plays a silent media element while playing; takes the lock again after the page returns; lets both go on pause', async () => {
    await waitForZone(page, (z) => z.status === 'playing', 'playing');
    await waitUntil(() => page.evaluate(() => (window as unknown as { __wakeLocks: { held: unknown[] } }).__wakeLocks.held.length === 1), { what: 'a wake lock held while playing' });
    const requests = await page.evaluate(() => (window as unknown as { __wakeLocks: { requests: number } }).__wakeLocks.requests);
    await page.evaluate(() => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(true));
    await page.evaluate(() => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(false));
    await waitUntil(() => page.evaluate((n) => {
      const locks = (window as unknown as { __wakeLocks: { requests: number; held: unknown[] } }).__wakeLocks;
      return locks.requests > n && locks.held.length === 1;
    }, requests), { what: 'the wake lock taken again after returning' });
    await waitUntil(() => page.evaluate(() => (window as unknown as { __keepAlive?: HTMLMediaElement }).__keepAlive?.paused === false), { what: 'the silent media element plays' });
    await press(page, 'pause');
    await waitUntil(() => page.evaluate(() => (window as unknown as { __wakeLocks: { held: unknown[] } }).__wakeLocks.held.length === 0), { what: 'the wake lock released on pause' });
    await waitUntil(() => page.evaluate(() => (window as unknown as { __keepAlive: HTMLMediaElement }).__keepAlive.paused), { what: 'the silent media element paused' });
    await press(page, 'play');
    await waitForZone(page, (z, r) => z.status === 'playing' && r.phase === 'playing', 'playing again');
  });

  it('after the system suspended audio in the background: warns, resumes and resyncs', async () => {
    await waitForZone(page, (_z, r) => r.phase === 'playing' && r.errorMs !== null && Math.abs(r.errorMs) < 2, 'playing in sync');
    const reschedules = (await zoneReport(page)).reschedules;
    await page.evaluate(() => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(true));
    // What iOS and some Androids do to a background page's audio.
    await page.evaluate(() => (window as unknown as { __audioContexts: AudioContext[] }).__audioContexts[0]!.suspend());
    await waitForZone(page, (_z, r) => r.phase === 'blocked', 'the output suspended');
    const suspendedAt = (await diagnostics(page))!.time.sharedNowMs;
    await waitForDiagnostics(page, (d) => d.time.sharedNowMs - suspendedAt > 1500, { what: '1.5 s in the background' });
    await page.evaluate(() => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(false));
    await page.getByRole('note', { name: 'Background playback' }).filter({ hasText: /stopped Tutti while it was in the background/ }).waitFor({ timeout: 10_000 });
    await waitForZone(page, (_z, r) => r.phase === 'playing' && r.reschedules > reschedules, 'rescheduled after resuming');
    await waitForZone(page, (_z, r) => r.phase === 'playing' && r.errorMs !== null && Math.abs(r.errorMs) < 2, 'back in sync');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('note', { name: 'Background playback' }).waitFor({ state: 'detached', timeout: 10_000 });
  });
});

async function zoneReport(page: Page): Promise<Report> {
  return view((await diagnostics(page))!)!.report;
}
