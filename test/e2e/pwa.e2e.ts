/**
 * The installable, offline-ready app: manifest and icons, the service worker taking control, an
 * offline reload (app shell from the cache, still cross-origin isolated, "unreachable" banner, the
 * cached library playing on this device alone, and joining the room when the network returns),
 * and the update prompt after a new build.
 * Serves a temporary copy of dist/ so the test can publish a "new build" of the worker.
 */
import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { encodeWavPcm16 } from '../../src/media/wav.js';
import type { Diagnostics } from '../../src/shell/diagnostics.js';
import { diagnostics, launchSpeaker, startServer, waitForDiagnostics, waitUntil, type RunningServer, type Speaker } from './harness.js';

const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A deterministic 20 s mono WAV (a quiet two-tone chord) tagged with `title`. */
function shortWav(title: string): Buffer {
  const rateHz = 22_050;
  const mono = new Float32Array(20 * rateHz);
  for (let i = 0; i < mono.length; i++) mono[i] = 0.15 * Math.sin((2 * Math.PI * 330 * i) / rateHz) + 0.1 * Math.sin((2 * Math.PI * 495 * i) / rateHz);
  return Buffer.from(encodeWavPcm16([mono], rateHz, { title, artist: 'PWA' }));
}

/** This speaker's playout report from diagnostics, if any. */
function playReport(d: Diagnostics): { phase: string } | null {
  return ((d.playback as { report?: { phase: string } } | null)?.report ?? null);
}

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

describe('installable, offline-ready app', { timeout: 120_000 }, () => {
  let tempDist: string;
  let server: RunningServer;
  let speaker: Speaker;
  const room = `pwa${Date.now().toString(36)}`;

  before(async () => {
    tempDist = await mkdtemp(join(tmpdir(), 'tutti-pwa-dist-'));
    await cp(distDir, tempDist, { recursive: true });
    server = await startServer({ DIST_DIR: tempDist });
    speaker = await launchSpeaker(`${server.origin}/?room=${room}&name=P`);
  });

  after(async () => {
    await speaker?.close();
    await server?.close();
    if (tempDist) await rm(tempDist, { recursive: true, force: true });
  });

  it('serves a valid manifest whose icons load with the right sizes', async () => {
    const page = speaker.page;
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    assert.ok(href, 'index.html links the manifest');
    const manifestUrl = new URL(href, server.origin);
    const response = await fetch(manifestUrl);
    assert.equal(response.status, 200);
    const manifest = (await response.json()) as Record<string, unknown> & { icons: ManifestIcon[] };
    assert.equal(manifest.name, 'Tutti');
    assert.equal(manifest.short_name, 'Tutti');
    assert.equal(manifest.start_url, './?resume=1');
    assert.equal(manifest.display, 'standalone');
    assert.match(String(manifest.theme_color), /^#[0-9a-f]{6}$/i);
    assert.match(String(manifest.background_color), /^#[0-9a-f]{6}$/i);
    const bySize = (size: string): ManifestIcon[] => manifest.icons.filter((icon) => icon.sizes === size && icon.type === 'image/png');
    assert.ok(bySize('192x192').length > 0, 'a 192 px PNG icon');
    assert.ok(bySize('512x512').length > 0, 'a 512 px PNG icon');
    assert.ok(manifest.icons.some((icon) => icon.purpose?.split(' ').includes('maskable')), 'a maskable icon');
    for (const icon of manifest.icons) {
      const iconUrl = new URL(icon.src, manifestUrl).href;
      const bytes = Buffer.from(await (await fetch(iconUrl)).arrayBuffer());
      assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${icon.src} is a PNG`);
      const size = await page.evaluate(async (url) => {
        const img = new Image();
        img.src = url;
        await img.decode();
        return `${img.naturalWidth}x${img.naturalHeight}`;
      }, iconUrl);
      assert.equal(size, icon.sizes, `${icon.src} renders at its declared size`);
    }
  });

  it('registers a service worker that controls the page, served with no-cache', async () => {
    const page = speaker.page;
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await waitUntil(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { what: 'the service worker controls the page' });
    const sw = await fetch(`${server.origin}/sw.js`);
    assert.equal(sw.status, 200);
    assert.equal(sw.headers.get('cache-control'), 'no-cache');
    const runtime = /workbox-[0-9a-f]+/.exec(await sw.text());
    assert.ok(runtime, 'sw.js imports the workbox runtime');
    assert.equal((await fetch(`${server.origin}/${runtime[0]}.js`)).headers.get('cache-control'), 'no-cache');
  });

  it('reloads offline from the cache, plays its cached library alone, and joins the room when back online', async () => {
    const page = speaker.page;
    await waitForDiagnostics(page, (d) => d.signaling === 'open', { what: 'signaling open before going offline' });
    await page.locator('input[type=file]').setInputFiles({ name: 'offline.wav', mimeType: 'audio/wav', buffer: shortWav('Offline Tune') });
    await page.getByRole('button', { name: 'Play Offline Tune' }).waitFor({ timeout: 60_000 });
    await page.context().setOffline(true);
    let other: Speaker | null = null;
    try {
      const response = await page.reload();
      assert.equal(response?.fromServiceWorker(), true, 'the shell came from the service worker');
      await page.locator('tutti-app h1').waitFor({ timeout: 30_000 });
      const signaling = await page.evaluate(() => fetch('/peerjs/peerjs/peers', { cache: 'no-store' }).then(() => 'reached', () => 'unreachable'));
      assert.equal(signaling, 'unreachable', 'signaling is never served from the cache');
      assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the cached shell keeps COOP/COEP');
      await page.getByRole('alert').filter({ hasText: /unreachable/ }).waitFor({ timeout: 30_000 });
      assert.match((await page.getByRole('alert').textContent()) ?? '', /Offline.*peers are unreachable.*Retrying/);
      // A room of one: this tab leads itself and plays its cached library.
      await waitForDiagnostics(page, (d) => d.signaling === 'unreachable' && d.leaderId === d.selfId, { what: 'leading a room of one offline' });
      await page.getByRole('button', { name: 'Play Offline Tune' }).click();
      await waitForDiagnostics(page, (d) => playReport(d)?.phase === 'playing', { what: 'the cached track plays offline', timeoutMs: 60_000 });
      other = await launchSpeaker(`${server.origin}/?room=${room}&name=Q`);
      await waitForDiagnostics(other.page, (d) => d.signaling === 'open', { what: 'another speaker online in the room' });
    } finally {
      await page.context().setOffline(false);
    }
    try {
      await waitForDiagnostics(page, (d) => d.signaling === 'open', { what: 'signaling open after the network returns', timeoutMs: 45_000 });
      await page.getByRole('alert').waitFor({ state: 'detached', timeout: 30_000 });
      const ids = await Promise.all([page, other.page].map(async (p) => (await diagnostics(p))!.selfId));
      for (const p of [page, other.page]) {
        await waitForDiagnostics(p, (d) => ids.every((id) => d.members.some((m) => m.peerId === id && m.state !== 'unresponsive')) && d.leaderId !== null, { what: 'the two meet', timeoutMs: 45_000 });
      }
      const leaders = await Promise.all([page, other.page].map(async (p) => (await diagnostics(p))!.leaderId));
      assert.equal(leaders[0], leaders[1], 'one leader for the reunited room');
    } finally {
      await other.close();
    }
  });

  it('offers "A new version is ready — Reload" after a new build, and reloads into it', async () => {
    const page = speaker.page;
    const before = await readFile(join(tempDist, 'sw.js'), 'utf8');
    await appendFile(join(tempDist, 'sw.js'), `\n// new build ${Date.now()}\n`);
    assert.notEqual(await readFile(join(tempDist, 'sw.js'), 'utf8'), before);
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
    const prompt = page.getByText('A new version is ready');
    await prompt.waitFor({ timeout: 30_000 });
    // The room polls discovery every second. A fetch event reaching the outgoing worker while the
    // new one starts to activate parks the activation in Chromium (and the tab's navigations hang):
    // discovery requests must bypass the worker. A storm of them makes the race certain.
    await page.evaluate(() => {
      for (let i = 0; i < 4; i++) {
        void (async () => {
          for (;;) await fetch('/peerjs/peerjs/peers', { cache: 'no-store' }).catch(() => undefined);
        })();
      }
    });
    const reloaded = page.waitForEvent('load', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Reload' }).click();
    await reloaded;
    await page.locator('tutti-app h1').waitFor({ timeout: 30_000 });
    const state = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return { controlled: navigator.serviceWorker.controller !== null, waiting: registration?.waiting != null };
    });
    assert.deepEqual(state, { controlled: true, waiting: false });
    assert.equal(await prompt.count(), 0, 'no prompt after updating');
  });

  it('reopens the last room at the start URL, while a plain / makes a fresh room', async () => {
    const page = speaker.page;
    await page.goto(`${server.origin}/?resume=1`);
    await waitUntil(async () => new URL(page.url()).searchParams.get('room') === room, { what: 'the last room reopened' });
    assert.equal(new URL(page.url()).searchParams.get('resume'), null, 'the resume flag is dropped from the URL');
    await page.goto(`${server.origin}/`);
    await waitUntil(async () => (new URL(page.url()).searchParams.get('room') ?? room) !== room, { what: 'a fresh room' });
  });
});
