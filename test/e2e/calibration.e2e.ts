/**
 * Acoustic calibration from the UI, in real Chromium processes:
 * - success: two speakers and a listener in a private PulseAudio room (bench/pulse-room.ts; needs
 *   `pulseaudio` and `pulseaudio-utils`) whose microphone is the room's mix, one speaker's sound
 *   delayed where its browser cannot see it: "Calibrate speakers" → that delay found, corrections
 *   applied, verified and persisted (a reloaded speaker keeps its correction);
 * - a microphone that hears only Chromium's fake-device beeps → "couldn't hear …", nothing applied;
 * - microphone permission denied → a clear message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { CHROME_PATH, CHROMIUM_FLAGS } from '../chromium-flags.mjs';
import { PulseRoom } from '../../bench/pulse-room.js';
import { calibrateFromUi } from '../../bench/calibrate-ui.js';
import type { CalibrationReport } from '../../src/room/calibration-runner.js';
import { launchAudioSpeaker, makeAudioServiceRealtime } from '../../bench/sync-rig.js';
import { disposeAllGuarded } from '../../bench/process-guard.js';
import { launchSpeaker, startServer, waitForDiagnostics, type RunningServer, type Speaker } from './harness.js';

type Report = CalibrationReport;

/** Kitchen's output delay that its browser does not report (`&hiddenDelayMs`), ms. */
const HIDDEN_DELAY_MS = 3;

/** The calibration panel's state on a page (a light-DOM child of tutti-app). */
function panel(page: Page): Promise<{ report: Report | null; localCorrectionMs: number | null }> {
  return page.evaluate(() => {
    const el = document.querySelector('tutti-calibration') as unknown as { report: unknown; localCorrectionMs: number | null } | null;
    return { report: (el?.report ?? null) as Report | null, localCorrectionMs: el?.localCorrectionMs ?? null };
  });
}

/** A listener (a remote: plays nothing) whose Chromium has these extra flags and environment. */
async function launchListener(url: string, flags: string[], env: Record<string, string> = {}): Promise<{ page: Page; close(): Promise<void> }> {
  const server = await chromium.launchServer({ executablePath: CHROME_PATH, headless: true, args: [...CHROMIUM_FLAGS, ...flags], env: { ...process.env, ...env } });
  const browser = await chromium.connect(server.wsEndpoint());
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => console.error(`[listener page error] ${error.message}`));
  await page.goto(url);
  return { page, close: () => server.close().catch(() => undefined) };
}

describe('acoustic calibration', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it('fails clearly, naming the speakers, and applies nothing when the microphone hears only beeps; and when permission is denied', async () => {
    const room = `calfail${Date.now().toString(36)}`;
    const url = (name: string, extra = ''): string => `${server.origin}/?room=${room}&name=${name}${extra}`;
    const speakers: Speaker[] = [];
    const listeners: { close(): Promise<void> }[] = [];
    try {
      speakers.push(await launchSpeaker(url('Kitchen')));
      await waitForDiagnostics(speakers[0]!.page, (d) => d.clock.role === 'authority', { what: 'first tab leads' });
      speakers.push(await launchSpeaker(url('Hall')));
      const beeps = await launchListener(url('Phone', '&role=remote'), ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
      listeners.push(beeps);
      await Promise.all([speakers[1]!.page, beeps.page].map((p) => waitForDiagnostics(p, (d) => d.clock.converged && d.members.length === 3, { what: 'joined and converged', timeoutMs: 60_000 })));
      let report = await calibrateFromUi(beeps.page);
      // A capture that stalled on this busy machine is refused as such (also honest); try once more.
      if (/recording skipped/.test(report.message)) report = await calibrateFromUi(beeps.page);
      assert.equal(report.ok, false);
      // Each speaker is named either way: unheard, too loud (one of the fake device's beeps fell in its
      // search window: seen once in ~10 runs), or (its output timing not ready on a busy machine) unable to play.
      assert.match(report.message, /couldn't hear Kitchen — turn it up or move closer|Kitchen is too loud for the microphone|Kitchen couldn't play the calibration sound/);
      assert.match(report.message, /couldn't hear Hall|Hall is too loud for the microphone|Hall couldn't play the calibration sound/);
      assert.deepEqual(report.rows.map((r) => r.correctionMs), [null, null]);
      for (const s of speakers) assert.equal((await panel(s.page)).localCorrectionMs, 0);
      const shown = await beeps.page.getByRole('alert').textContent();
      assert.match(shown ?? '', /couldn't hear Kitchen|Kitchen is too loud|Kitchen couldn't play/);

      const denied = await launchListener(url('Tablet', '&role=remote'), ['--use-fake-device-for-media-stream']);
      listeners.push(denied);
      await waitForDiagnostics(denied.page, (d) => d.members.length === 4, { what: 'tablet joined', timeoutMs: 60_000 });
      const refused = await calibrateFromUi(denied.page);
      assert.equal(refused.ok, false);
      assert.match(refused.message, /Microphone permission was denied/);
    } finally {
      await Promise.all([...speakers, ...listeners].map((s) => s.close()));
    }
  });

  it('calibrates two speakers from a listener in a PulseAudio room: finds a delay the browser does not report, applies, verifies and persists the corrections', async () => {
    const room = await PulseRoom.start({ speakers: 3 });
    let listener: { page: Page; close(): Promise<void> } | undefined;
    try {
      // The room's mix as a stereo-compatible source (see bench/calibrate.ts).
      await room.pactl('load-module', 'module-remap-source', 'source_name=roommic', 'master=room.monitor', 'channels=6',
        'master_channel_map=aux0,aux1,aux2,aux3,aux4,aux5', 'channel_map=front-left,front-right,front-left,front-right,front-left,front-right', 'remix=yes');
      await room.pactl('set-default-source', 'roommic');
      const roomId = `calok${Date.now().toString(36)}`;
      const url = (name: string, extra = ''): string => `${server.origin}/?room=${roomId}&name=${name}${extra}`;
      // Kitchen's sound comes out 3 ms later than its browser can tell (src/audio/sound-path.ts), as
      // a device's would: only the microphone can find it.
      const kitchen = await launchAudioSpeaker(room, 0, 40);
      await kitchen.page.goto(url('Kitchen', `&clockOffsetMs=5000&clockRatePpm=150&debug=1&hiddenDelayMs=${HIDDEN_DELAY_MS}`));
      await waitForDiagnostics(kitchen.page, (d) => d.clock.role === 'authority', { what: 'first tab leads' });
      const hall = await launchAudioSpeaker(room, 1, 40);
      await hall.page.goto(url('Hall', '&clockOffsetMs=-3000&clockRatePpm=-120'));
      listener = await launchListener(url('Phone', '&role=remote'), ['--use-fake-ui-for-media-stream'], room.clientEnv(2, 40));
      await Promise.all([hall.page, listener.page].map((p) => waitForDiagnostics(p, (d) => d.clock.converged && d.members.length === 3, { what: 'joined and converged', timeoutMs: 60_000 })));
      // Calibrating while music plays: an idle output under PulseAudio keeps restarting its
      // stream, and the engine refuses probes until its output timing is ready again.
      const hasDemo = (d: { playback: Record<string, unknown> | null }): boolean => ((d.playback as { libraryTrackIds?: string[] } | null)?.libraryTrackIds ?? []).length > 0;
      await waitForDiagnostics(kitchen.page, hasDemo, { what: 'demo track in the library', timeoutMs: 120_000 });
      const refusal = await kitchen.page.evaluate(() => window.tutti.debug!.playDemo());
      assert.equal(refusal, null);
      const playing = (d: { playback: Record<string, unknown> | null }): boolean => (d.playback as { report?: { phase?: string } } | null)?.report?.phase === 'playing';
      await Promise.all([kitchen.page, hall.page].map((p) => waitForDiagnostics(p, playing, { what: 'playing', timeoutMs: 60_000 })));
      // As in the benchmarks: keep a busy shared machine from starving the speakers' audio.
      await Promise.all([kitchen, hall].map((s) => makeAudioServiceRealtime(s)));
      // Past the start-up (outputs move by milliseconds in the first seconds, as bench:sync shows),
      // then, for up to 60 s, each speaker in sync by its own estimate: what a user calibrates. A
      // starved speaker may keep restarting its render clock (its uncertainty stays high); then it
      // is calibrated anyway and the retries below absorb a verification it fails.
      type Playout = { positionSec?: number | null; errorMs?: number | null; uncertaintyMs?: number | null };
      const playout = (d: { playback: Record<string, unknown> | null }): Playout | undefined => (d.playback as { report?: Playout } | null)?.report;
      await Promise.all([kitchen.page, hall.page].map((p) => waitForDiagnostics(p, (d) => (playout(d)?.positionSec ?? 0) >= 15, { what: '15 s of music', timeoutMs: 90_000 })));
      const inSync = (d: { playback: Record<string, unknown> | null }): boolean => Math.abs(playout(d)?.errorMs ?? Infinity) <= 0.5 && (playout(d)?.uncertaintyMs ?? Infinity) <= 1;
      await Promise.all(
        [kitchen.page, hall.page].map((p) =>
          waitForDiagnostics(p, inSync, { what: 'in sync by its own estimate', timeoutMs: 60_000 }).catch((error: unknown) => console.error(`calibrating anyway: ${String(error).slice(0, 160)}`)),
        ),
      );

      // Up to two retries: on a starved machine a speaker's output timing can drop out for a moment
      // (its refusal is then reported, as checked in the failure test's messages), or its real
      // output can move between the measuring and the verifying pass.
      let report = await calibrateFromUi(listener.page);
      for (let retry = 0; retry < 2 && !report.ok; retry++) {
        console.error(`calibration attempt ${retry + 1}: ${report.message}; retrying\n${JSON.stringify(report)}`);
        report = await calibrateFromUi(listener.page);
      }
      const corrections = report.rows.map((r) => r.correctionMs);
      assert.ok(corrections.every((c) => c !== null && c >= 0), `every speaker measured and corrected: ${report.message}\n${JSON.stringify(report.rows)}`);
      assert.equal(Math.min(...(corrections as number[])), 0);
      // The rig's own sinks differ by ~0.1 ms: Hall waits for Kitchen by about the hidden delay
      // (bench:calibrate measures how closely). This early in the music, an output can still move
      // by ~1 ms while it is measured (once Hall's correction came out 3.98 ms after a retry).
      const hallCorrection = report.rows.find((r) => r.name === 'Hall')!.correctionMs!;
      assert.ok(Math.abs(hallCorrection - HIDDEN_DELAY_MS) < 1.5, `Hall's correction ${hallCorrection} ms for Kitchen's hidden ${HIDDEN_DELAY_MS} ms\n${JSON.stringify(report.rows)}`);
      assert.ok(report.durationMs < 15_000, `took ${report.durationMs} ms`);
      if (report.ok) {
        assert.match(report.message, /^all speakers within 0\.\d\d ms$/);
        assert.ok(report.spreadMs !== null && report.spreadMs <= 0.5, `spread ${report.spreadMs}`);
      } else {
        // Applied, but the verifying pass found the speakers had moved: reported as such, not hidden.
        assert.match(report.message, /apart after correcting/, `${report.message}\n${JSON.stringify(report)}`);
        console.error(`verification missed after 3 attempts (reported to the user): ${report.message}`);
      }
      const shown = await listener.page.getByRole('table', { name: 'Calibration results' }).getByRole('row').count();
      assert.equal(shown, 3);

      // Applied at once on each speaker, and persisted: a reload keeps it.
      assert.ok(Math.abs((await panel(hall.page)).localCorrectionMs! - hallCorrection) < 1e-9);
      await hall.page.reload();
      await hall.page.waitForFunction((expected) => {
        const el = document.querySelector('tutti-calibration') as unknown as { localCorrectionMs: number | null } | null;
        return el !== null && el.localCorrectionMs !== null && Math.abs(el.localCorrectionMs - expected) < 1e-9;
      }, hallCorrection, { timeout: 30_000 });
    } finally {
      await listener?.close();
      await disposeAllGuarded();
      await room.dispose();
    }
  });
});
