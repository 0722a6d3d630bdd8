/**
 * Groups and zones across four Chromium processes (Kitchen, Den, Office, Attic): "Downstairs"
 * made from the room view plays one track while the Office plays another and the Attic stays
 * silent, each zone on one schedule; a voice command ("play dave matthews band downstairs")
 * through an injected fake recognizer switches Downstairs; the groups survive the leader's
 * process dying and a reload of every tab.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { encodeWavPcm16 } from '../../src/media/wav.js';
import { diagnostics, launchSpeaker, startServer, waitForDiagnostics, waitUntil, type Speaker } from './harness.js';

interface Report { phase: string; trackId: string | null; errorMs: number | null; uncertaintyMs: number | null; zoneId: string | null }
interface Zone { status: string; currentIndex: number; startSharedMs: number; members: string[]; queue: { trackId: string; title: string }[] }
interface PlaybackDiagnostics { report: Report; zones: { zones: Record<string, Zone> }; ownZoneId: string | null; libraryTrackIds: string[] }
interface Group { groupId: string; name: string; memberIds: string[]; deleted: boolean }

const NAMES = ['Kitchen', 'Den', 'Office', 'Attic'] as const;
type Name = (typeof NAMES)[number];

async function playback(page: Page): Promise<PlaybackDiagnostics> {
  const d = (await diagnostics(page)) as unknown as { playback: PlaybackDiagnostics };
  return d.playback;
}

function waitForPlayback(page: Page, check: (p: PlaybackDiagnostics) => boolean, what: string, timeoutMs = 90_000): Promise<number> {
  return waitForDiagnostics(page, (d) => {
    const p = (d as unknown as { playback?: PlaybackDiagnostics }).playback;
    return p !== undefined && p !== null && check(p);
  }, { what, timeoutMs, intervalMs: 100 });
}

/** The live groups a page knows (string script: runs in the page as is). */
async function groups(page: Page): Promise<Group[]> {
  const state = (await page.evaluate('window.tutti.features.groups ? window.tutti.features.groups.state() : null')) as { groups: Record<string, Group> } | null;
  return state === null ? [] : Object.values(state.groups).filter((g) => !g.deleted);
}

/** Plays tracks on a named target through the page's RoomControl; resolves with the error text or null. */
function playOn(page: Page, targetName: string, trackIds: string[]): Promise<string | null> {
  return page.evaluate(`(async () => {
    const control = window.tutti.features.groups.control;
    const target = control.targets().find((t) => t.name === ${JSON.stringify(targetName)});
    if (!target) return 'no target ${targetName}';
    try { await control.play(target, ${JSON.stringify(trackIds)}); return null; } catch (e) { return String(e.message || e); }
  })()`) as Promise<string | null>;
}

/** A short deterministic mono WAV (22.05 kHz) with tags. */
function wav(title: string, artist: string, baseHz: number, seconds = 40): Buffer {
  const rateHz = 22_050;
  const mono = new Float32Array(seconds * rateHz);
  for (let i = 0; i < mono.length; i++) {
    const t = i / rateHz;
    mono[i] = 0.2 * Math.sin(2 * Math.PI * (baseHz + 3 * Math.sin(t)) * t) + 0.05 * Math.sin(2 * Math.PI * 3.01 * baseHz * t);
  }
  return Buffer.from(encodeWavPcm16([mono], rateHz, { title, artist }));
}

describe('groups, zones and voice', { timeout: 480_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const speakers = new Map<Name, Speaker>();
  const room = `grp${Date.now().toString(36)}`;
  const page = (name: Name): Page => speakers.get(name)!.page;
  const speakerIds = new Map<Name, string>();
  const trackIds = new Map<string, string>();

  before(async () => {
    server = await startServer();
    for (const name of NAMES) {
      speakers.set(name, await launchSpeaker(`${server.origin}/?room=${room}&name=${name}`));
      if (name === 'Kitchen') await waitForDiagnostics(page('Kitchen'), (d) => d.leaderId === d.selfId, { what: 'Kitchen leads' });
    }
    for (const name of NAMES) {
      await waitForDiagnostics(page(name), (d) => d.members.length === 4 && d.leaderId !== null, { what: `${name} sees the room`, timeoutMs: 60_000 });
      speakerIds.set(name, (await diagnostics(page(name)))!.selfId.split('-')[2]!);
    }
  });

  after(async () => {
    await Promise.all([...speakers.values()].map((s) => s.close()));
    await server.close();
  });

  it('Downstairs (made in the room view) and the Office play different tracks at once, each in sync; the Attic stays silent', async () => {
    const office = page('Office');
    await office.locator('input[type=file]').setInputFiles([
      { name: 'crash.wav', mimeType: 'audio/wav', buffer: wav('Crash Into Me', 'Dave Matthews Band', 196) },
      { name: 'sowhat.wav', mimeType: 'audio/wav', buffer: wav('So What', 'Miles Davis', 147) },
    ]);
    for (const title of ['Crash Into Me', 'So What']) await office.getByRole('button', { name: `Play ${title}` }).waitFor({ timeout: 60_000 });
    const tracks = (await office.evaluate('window.tutti.features.groups.control.tracks()')) as { trackId: string; title: string }[];
    for (const t of tracks) trackIds.set(t.title, t.trackId);

    // Make "Downstairs" from the Kitchen's room view: name, tick Kitchen and Den, create.
    const kitchen = page('Kitchen');
    const form = kitchen.getByRole('form', { name: 'New group' });
    await form.getByLabel('Name').fill('Downstairs');
    await form.getByRole('checkbox', { name: 'Kitchen' }).check();
    await form.getByRole('checkbox', { name: 'Den' }).check();
    await form.getByRole('button', { name: 'Create group' }).click();
    for (const name of NAMES) {
      await waitUntil(async () => (await groups(page(name))).some((g) => g.name === 'Downstairs' && [...g.memberIds].sort().join() === [speakerIds.get('Kitchen'), speakerIds.get('Den')].sort().join()), { what: `${name} sees Downstairs = Kitchen + Den`, timeoutMs: 30_000 });
    }
    await kitchen.getByRole('article', { name: 'Group Downstairs' }).waitFor({ timeout: 10_000 });

    assert.equal(await playOn(office, 'Downstairs', [trackIds.get('So What')!]), null);
    assert.equal(await playOn(office, 'Office', [trackIds.get('Crash Into Me')!]), null);
    const downstairsId = (await groups(office)).find((g) => g.name === 'Downstairs')!.groupId;
    for (const name of ['Kitchen', 'Den'] as const) {
      await waitForPlayback(page(name), (p) => p.report.phase === 'playing' && p.report.trackId === trackIds.get('So What') && p.ownZoneId === downstairsId, `${name} plays So What downstairs`);
    }
    await waitForPlayback(office, (p) => p.report.phase === 'playing' && p.report.trackId === trackIds.get('Crash Into Me'), 'Office plays Crash Into Me');
    // Each zone in sync within itself: one shared start per zone, and every speaker's own error estimate small.
    for (const name of ['Kitchen', 'Den', 'Office'] as const) {
      await waitForPlayback(page(name), (p) => p.report.errorMs !== null && Math.abs(p.report.errorMs) < 5, `${name} within 5 ms of its schedule`);
    }
    const [k, d] = [await playback(kitchen), await playback(page('Den'))];
    assert.equal(k.zones.zones[downstairsId]!.startSharedMs, d.zones.zones[downstairsId]!.startSharedMs);
    const attic = await playback(page('Attic'));
    assert.equal(attic.report.phase, 'idle', 'the Attic is silent');
    assert.notEqual(attic.ownZoneId, downstairsId);
  });

  it('"play dave matthews band downstairs" from a fake recognizer switches Downstairs', async () => {
    const attic = page('Attic');
    const reply = (await attic.evaluate(`window.tutti.features.voice.hear([
      { transcript: 'play dave matthews band down stairs', confidence: 0.62 },
      { transcript: 'play day of matthews band downstairs', confidence: 0.2 },
    ])`)) as string;
    assert.match(reply, /Dave Matthews Band/i);
    assert.match(reply, /downstairs/i);
    for (const name of ['Kitchen', 'Den'] as const) {
      await waitForPlayback(page(name), (p) => p.report.phase === 'playing' && p.report.trackId === trackIds.get('Crash Into Me'), `${name} plays Dave Matthews Band`);
    }
    assert.equal((await playback(attic)).report.phase, 'idle', 'the Attic still silent');
  });

  it('moving the Attic into the playing Downstairs (room view menu) joins its music in sync', async () => {
    const attic = page('Attic');
    const downstairsId = (await groups(attic)).find((g) => g.name === 'Downstairs')!.groupId;
    const startedMs = performance.now();
    await attic.getByRole('combobox', { name: 'Move Attic to' }).selectOption({ label: 'Downstairs' });
    const steps: string[] = [];
    let lastStep = '';
    await waitForPlayback(attic, (p) => {
      const step = `${p.ownZoneId === downstairsId ? 'in zone' : 'not in zone'}/${p.report.phase}/${p.libraryTrackIds.length} tracks`;
      if (step !== lastStep) steps.push(`${(performance.now() - startedMs).toFixed(0)} ms ${(lastStep = step)}`);
      return p.ownZoneId === downstairsId && p.report.phase === 'playing' && p.report.errorMs !== null && Math.abs(p.report.errorMs) < 5;
    }, 'the Attic plays Downstairs in sync');
    const switchMs = performance.now() - startedMs;
    console.log(`zone switch: Attic moved into playing Downstairs → playing in sync (|error| < 5 ms) after ${switchMs.toFixed(0)} ms (${steps.join(' → ')})`);
    const [a, k] = [await playback(attic), await playback(page('Kitchen'))];
    assert.equal(a.report.trackId, k.report.trackId);
    assert.equal(a.zones.zones[downstairsId]!.startSharedMs, k.zones.zones[downstairsId]!.startSharedMs);
  });

  it('groups survive the leader dying and a reload of every tab', async () => {
    const leaderPeer = (await diagnostics(page('Office')))!.leaderId!;
    const dying = NAMES.find((n) => leaderPeer.endsWith(`-${speakerIds.get(n)}`))!;
    await speakers.get(dying)!.kill();
    speakers.delete(dying);
    const rest = NAMES.filter((n) => n !== dying);
    for (const name of rest) await waitForDiagnostics(page(name), (d) => d.leaderId !== null && d.leaderId !== leaderPeer, { what: `${name} has a new leader`, timeoutMs: 30_000 });
    assert.equal(await playOn(page(rest[0]!), 'Downstairs', [trackIds.get('So What')!]), null, 'the new leader takes zone commands for the group');
    for (const name of rest) assert.ok((await groups(page(name))).some((g) => g.name === 'Downstairs'), `${name} keeps Downstairs`);

    await Promise.all(rest.map((name) => page(name).reload()));
    for (const name of rest) {
      await waitUntil(async () => (await groups(page(name))).some((g) => g.name === 'Downstairs' && g.memberIds.includes(speakerIds.get('Kitchen')!) && g.memberIds.includes(speakerIds.get('Den')!)), { what: `${name} has Downstairs after the reload`, timeoutMs: 60_000 });
    }
    await page(rest[0]!).getByRole('article', { name: 'Group Downstairs' }).waitFor({ timeout: 10_000 });
  });
});
