/**
 * A room of real Chromium speakers playing the demo into a private PulseAudio room, recorded on one
 * clock: the rig that bench:calibrate and bench:trim share. {@link startPlayingRoom} builds the app,
 * launches the speakers (injected clock offsets and skews, `&debug=1`), waits until the first leads
 * and the others' clocks converged, starts the recording and the trace, plays the demo (queued
 * again when the run outlasts it), makes the audio services real-time and waits until every
 * speaker's output timing has been steady. {@link speakerTracks} reads each speaker's channel of
 * the recording against the reference demo.
 */
import type { Page } from 'playwright-core';
import { waitForDiagnostics } from '../test/e2e/harness.js';
import { libraryIds, phaseOf } from './app-sync.js';
import { CLOCKS } from './clock-live.js';
import { dropLoneOutliers } from './playout-compare.js';
import { trackPlayout, type PlayoutWindow } from './playout-analysis.js';
import { startTrace, type TraceRound } from './playout-trace.js';
import { PulseRoom } from './pulse-room.js';
import { ReferenceTrack } from './reference-track.js';
import { hostNowMs, type Recording, type RoomRecorder } from './room-recorder.js';
import { waitForSteadyOutputs } from './steady-outputs.js';
import { launchAudioSpeaker, makeAudioServiceRealtime, startApp, type AudioSpeaker, type RunningApp } from './sync-rig.js';

/** Analysis hop of the recording, s: the truth has a sample every this long. */
export const HOP_SEC = 0.25;

/** Resolves after `ms` (at once for a past deadline's negative remainder). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface PlayingRoomOptions {
  readonly speakers: number;
  /** PULSE_LATENCY_MSEC of every Chromium. */
  readonly pulseLatencyMs: number;
  /** The demo plays at least this long (it is queued again when longer than one pass), s. */
  readonly playSec: number;
  /** Outputs steady this long before it resolves (at most 60 s of waiting), s. */
  readonly steadySec: number;
  /** Also a remote member whose microphone is the room's mix (PulseRoom sink `speakers`). */
  readonly listener: boolean;
  /** More URL parameters for speaker `index` (e.g. `&frameCounter=message`), or ''. */
  readonly speakerParams?: (index: number) => string;
}

export interface PlayingRoom {
  readonly app: RunningApp;
  readonly room: PulseRoom;
  readonly speakers: readonly AudioSpeaker[];
  readonly clocks: ReadonlyArray<(typeof CLOCKS)[number]>;
  readonly listener: Page | null;
  readonly recorder: RoomRecorder;
  readonly trace: { stop(): Promise<TraceRound[]> };
  /** Host time the demo was asked to play, ms. */
  readonly playHostMs: number;
  /** How long the outputs took to be steady, ms. */
  readonly steadyWaitMs: number;
}

/** A Chromium whose microphone is the room's `roommic` (its own silent output goes to sink `index`). */
async function launchListener(room: PulseRoom, index: number, pulseLatencyMs: number): Promise<Page> {
  // pulse-room.ts's own `mic` keeps the aux channel map, which PulseAudio does not remix into the
  // stereo stream Chromium opens (it records silence); front-left/front-right duplicates are averaged.
  const channels = 2 * (index + 1);
  const positions = Array.from({ length: channels }, (_, i) => (i % 2 === 0 ? 'front-left' : 'front-right')).join(',');
  const auxes = Array.from({ length: channels }, (_, i) => `aux${i}`).join(',');
  await room.pactl('load-module', 'module-remap-source', 'source_name=roommic', 'master=room.monitor', `channels=${channels}`, `master_channel_map=${auxes}`, `channel_map=${positions}`, 'remix=yes');
  await room.pactl('set-default-source', 'roommic');
  const { page } = await launchAudioSpeaker(room, index, pulseLatencyMs, ['--use-fake-ui-for-media-stream']);
  page.on('console', (message) => {
    if (message.text().startsWith('[tutti] calibration')) console.error(`[listener] ${message.text()}`);
  });
  return page;
}

/** Starts the rig and the music; see the module comment. Processes are guarded (process-guard.ts). */
export async function startPlayingRoom(options: PlayingRoomOptions): Promise<PlayingRoom> {
  const { speakers: n, pulseLatencyMs } = options;
  console.error('building the app (vite build into a temp dir) and starting the server…');
  const app = await startApp();
  const room = await PulseRoom.start({ speakers: n + (options.listener ? 1 : 0) });
  const roomId = `rig${Date.now().toString(36)}`;
  const clocks = Array.from({ length: n }, (_, k) => CLOCKS[k % CLOCKS.length]!);
  const speakers: AudioSpeaker[] = [];
  for (let k = 0; k < n; k++) {
    const speaker = await launchAudioSpeaker(room, k, pulseLatencyMs);
    speakers.push(speaker);
    await speaker.page.goto(`${app.origin}/?room=${roomId}&name=S${k}&clockOffsetMs=${clocks[k]!.offsetMs}&clockRatePpm=${clocks[k]!.ratePpm}&debug=1${options.speakerParams?.(k) ?? ''}`);
    if (k === 0) await waitForDiagnostics(speaker.page, (d) => d.clock.role === 'authority', { what: 'first tab leads' });
  }
  const listener = options.listener ? await launchListener(room, n, pulseLatencyMs) : null;
  await listener?.goto(`${app.origin}/?room=${roomId}&name=Listener&role=remote&clockOffsetMs=-2222.2&clockRatePpm=-80`);
  const followers = [...speakers.slice(1).map((s) => s.page), ...(listener === null ? [] : [listener])];
  await Promise.all(followers.map((p) => waitForDiagnostics(p, (d) => d.clock.converged, { what: 'clock converged', timeoutMs: 60_000 })));
  // The first speaker renders the demo into its library at start-up: "That track is not in the
  // library" refused a press before it had (one run).
  await waitForDiagnostics(speakers[0]!.page, (d) => libraryIds(d).length > 0, { what: 'demo track cached', timeoutMs: 180_000 });
  console.error(`${n} speakers${listener === null ? '' : ' and a listener'} joined; playing the demo…`);
  const recorder = await room.record();
  const trace = startTrace(() => speakers.map((s) => s.page), 500, hostNowMs);
  const refusal = await speakers[0]!.page.evaluate(() => window.tutti.debug!.playDemo());
  if (refusal !== null) throw new Error(`playDemo refused: ${refusal}`);
  const playHostMs = hostNowMs();
  // The demo lasts 180 s; the waits before the measured part take up to ~80 s more.
  if (options.playSec + 80 > 180) {
    const repeats = Math.ceil((options.playSec + 100) / 180) - 1;
    const result = await speakers[0]!.page.evaluate(`(() => {
      const p = window.tutti.diagnostics().playback;
      const zone = p.zones.zones[p.ownZoneId];
      return window.tutti.debug.command({ type: 'enqueue', zoneId: zone.zoneId, entries: Array(${repeats}).fill(zone.queue[zone.currentIndex]) });
    })()`);
    if (result !== null) throw new Error(`could not queue the demo again: ${String(result)}`);
  }
  await Promise.all(speakers.map((s) => waitForDiagnostics(s.page, (d) => phaseOf(d) === 'playing', { what: 'playing', timeoutMs: 60_000 })));
  await Promise.all(speakers.map((s) => makeAudioServiceRealtime(s)));
  const steadyWaitMs = await waitForSteadyOutputs(speakers.map((s) => s.page), options.steadySec * 1000, 60_000);
  console.error(`outputs steady for ${options.steadySec} s after ${(steadyWaitMs / 1000).toFixed(1)} s of waiting`);
  return { app, room, speakers, clocks, listener, recorder, trace, playHostMs, steadyWaitMs };
}

/**
 * Each speaker's channel of `recording` tracked against the demo from `playHostMs` (it loops
 * within a long run), lone correlation outliers left out as bench:sync does (one window read
 * 1237 ms off amid 10 s whose p95 was 0.05 ms); the demo's length, s; and the channels (mono).
 */
export function speakerTracks(recording: Recording, speakers: number, playHostMs: number): { tracks: PlayoutWindow[][]; dropped: number[]; loopSec: number; monos: Float32Array[] } {
  const rateHz = recording.rateHz;
  const track = new ReferenceTrack();
  const reference = track.monoAt(rateHz);
  const fromFrame = Math.max(0, Math.round(recording.frameAt(playHostMs)));
  const monos = Array.from({ length: speakers }, (_, k) => recording.speakerMono(k));
  const cleaned = monos.map((mono) => dropLoneOutliers(trackPlayout(reference, mono, { rateHz, fromFrame, hopSec: HOP_SEC, loops: true }), rateHz));
  return { tracks: cleaned.map((c) => c.windows), dropped: cleaned.map((c) => c.dropped), loopSec: track.durationSec, monos };
}
