/**
 * Entry point: read the room URL, load this device's identity, join the room and mount the UI.
 */
import './components/tutti-app.js';
import { SpeakerEngine } from './audio/speaker-engine.js';
import { startFeatures } from './features/features.js';
import { openBrowserLibrary, openMemoryLibrary } from './library/browser-library.js';
import { sha256Hex } from './library/sha256.js';
import type { TrackLibrary } from './library/track-library.js';
import { RoomPlayback } from './room/room-playback.js';
import { RoomSession } from './room/room-session.js';
import { IdbDeviceStore, MemoryDeviceStore, type DeviceStore } from './shell/device-store.js';
import { installDiagnostics } from './shell/diagnostics.js';
import { BrowserInstallPrompt } from './shell/install-prompt.js';
import { IdbLastRoom, MemoryLastRoom, type LastRoomStore } from './shell/last-room.js';
import { IdTakenError, PeerTransport } from './shell/peer-transport.js';
import { serviceWorkerSupported, WorkboxUpdater } from './shell/service-worker.js';
import { signalingOptions } from './shell/signaling-config.js';
import { IdbSpeakerSettingsStore, MemorySpeakerSettingsStore, type SpeakerSettingsStore } from './shell/speaker-settings-store.js';
import { defaultSpeakerName } from './sync/device-name.js';
import { makePeerId, makeSpeakerId } from './sync/peer-ids.js';
import { makeRoomId, parseRoomParams } from './sync/room-params.js';
import { SkewedClock } from './sync/skewed-clock.js';
import type { TuttiApp } from './components/tutti-app.js';

const TAB_SPEAKER_KEY = 'tutti:tab-speaker-id';
/** Longest the demo track waits for this tab to finish joining the room's music, ms. */
const DEMO_MAX_WAIT_MS = 20_000;
/** After joining, the room settles (peers, clock, play state) this long before the demo is made, ms. */
const SETTLE_MS = 4_000;
/** How long the room's state takes to arrive before "not busy" means anything, ms. */
const QUIET_GRACE_MS = 1_500;
const ID_RETRIES = 3;
const ID_RETRY_DELAY_MS = 1500;

async function main(): Promise<void> {
  const app = document.querySelector('tutti-app');
  if (app === null) throw new Error('index.html lacks <tutti-app>');
  const params = parseRoomParams(location.search);
  for (const problem of params.problems) console.warn(`[tutti] ignoring URL parameter: ${problem}`);
  const disposePwa = startPwa(app);

  // `/` makes a fresh room; `/?resume=1` (the installed app's start URL) reopens the last one.
  const lastRoom = await durableOr<LastRoomStore>(new IdbLastRoom(), () => new MemoryLastRoom(), 'the last room will not be remembered');
  const roomId = params.roomId ?? (params.resume ? await lastRoom.load() : null) ?? makeRoomId(Math.random);
  if (params.roomId === null) {
    const url = new URL(location.href);
    url.searchParams.delete('resume');
    url.searchParams.set('room', roomId);
    history.replaceState(null, '', url);
  }
  app.roomUrl = shareUrl(roomId);
  await lastRoom.save(roomId).catch(() => console.warn('[tutti] could not remember the last room'));

  const store = await durableOr<DeviceStore>(new IdbDeviceStore(), () => new MemoryDeviceStore(), 'this speaker will not be remembered');
  const device = await store.load();
  const name = params.name ?? device.name ?? defaultSpeakerName(navigator.userAgent, navigator.maxTouchPoints);
  if (params.name !== null && params.name !== device.name) await store.saveName(params.name);
  app.addEventListener('name-change', (event) => void store.saveName(event.name));

  const library = await openLibrary();
  app.library = library;
  const settingsStore = await durableOr<SpeakerSettingsStore>(new IdbSpeakerSettingsStore(), () => new MemorySpeakerSettingsStore(), 'speaker settings will not be remembered');
  const settings = await settingsStore.load();

  const clock = new SkewedClock(() => performance.now(), params.clockOffsetMs, params.clockRatePpm);
  let session: RoomSession | null = null;
  let playback: RoomPlayback | null = null;
  // The demo track costs seconds of CPU: make it once this tab is not busy joining the music.
  let joinedAtMs = Number.POSITIVE_INFINITY;
  const joiningMusic = (): boolean => {
    if (playback === null || performance.now() - joinedAtMs < SETTLE_MS) return true;
    const phase = playback.speaker.report().phase;
    return playback.exchange.transfers().length > 0 || phase === 'loading' || phase === 'decoding' || phase === 'scheduled';
  };
  void whenQuiet(joiningMusic, DEMO_MAX_WAIT_MS)
    .then(() => library.ensureDemoTrack((_phase, fraction) => (app.demoProgress = fraction)))
    .catch((error: unknown) => console.warn('[tutti] could not make the demo track', error))
    .finally(() => (app.demoProgress = null));
  installDiagnostics(() => session, clock, params.debug, () => playback);

  // A tab keeps the device's speaker id unless another tab of this browser holds it: then, after a
  // few tries (a reload's old connection may linger on the server), it takes an id of its own.
  let speakerId = sessionStorage.getItem(TAB_SPEAKER_KEY) ?? device.speakerId;
  let takenCount = 0;
  while (session === null) {
    if (!navigator.onLine) app.error = unreachableMessage('this device is offline');
    const transport = new PeerTransport(makePeerId(roomId, speakerId), signalingOptions(location, params.signaling));
    const candidate = new RoomSession({ roomId, name, role: params.role, transport, now: clock.now });
    try {
      await candidate.start();
      session = candidate;
    } catch (error) {
      candidate.dispose();
      if (error instanceof IdTakenError) {
        if (++takenCount >= ID_RETRIES) {
          speakerId = makeSpeakerId(Math.random);
          sessionStorage.setItem(TAB_SPEAKER_KEY, speakerId);
          takenCount = 0;
        }
      } else {
        app.error = unreachableMessage((error as Error).message);
      }
      await delay(ID_RETRY_DELAY_MS);
    }
  }
  app.error = null;
  const room = session;
  const engine = params.role === 'remote'
    ? null
    : new SpeakerEngine({
        timeline: {
          toShared: (localMs) => room.timeline.toShared(localMs),
          toLocal: (sharedMs) => room.timeline.toLocal(sharedMs),
          uncertaintyMs: () => (room.timeline.role === 'authority' ? 0 : room.timeline.state().uncertaintyMs),
        },
        clock,
        loadBytes: (trackId) => playback?.readBytes(trackId) ?? library.readBytes(trackId),
        trimMs: settings.trimMs,
        outputTiming: params.outputTiming,
      });
  // Browsers start audio only inside a user gesture: unlock on the first one, before any await.
  const unlock = (): void => engine?.unlock();
  for (const type of ['pointerdown', 'keydown'] as const) addEventListener(type, unlock, { capture: true });
  playback = new RoomPlayback({ session: room, role: params.role, library, engine, settingsStore, settings, hash: sha256Hex, now: clock.now });
  joinedAtMs = performance.now();
  app.session = session;
  app.playback = playback;
  const stopFeatures = startFeatures({ app, session: room, playback, engine, library, clock, params });
  addEventListener('pagehide', () => {
    stopFeatures();
    session?.sayGoodbye();
    playback?.dispose();
    session?.dispose();
    disposePwa();
  });
}

/** The banner while signaling is unreachable; the join loop keeps retrying until it answers. */
function unreachableMessage(reason: string): string {
  return `Offline: peers are unreachable (cannot reach the room's signaling server: ${reason}). Retrying automatically…`;
}

/**
 * Install prompt and (production builds only) the service worker with its update prompt.
 * Returns a function that disposes both.
 */
function startPwa(app: TuttiApp): () => void {
  const install = new BrowserInstallPrompt();
  app.installMode = install.mode;
  install.onChange((mode) => (app.installMode = mode));
  app.addEventListener('install-request', () => void install.prompt());
  if (!import.meta.env.PROD || !serviceWorkerSupported()) return () => install.dispose();
  const updater = new WorkboxUpdater();
  updater.onUpdateReady(() => (app.updateReady = true));
  app.addEventListener('update-accept', () => updater.applyUpdate());
  updater.start().catch((error: unknown) => console.warn('[tutti] service worker not registered:', error));
  return () => {
    install.dispose();
    updater.dispose();
  };
}

/** The IndexedDB library, or one in memory (with a warning) when IndexedDB is unavailable. */
async function openLibrary(): Promise<TrackLibrary> {
  try {
    return await openBrowserLibrary();
  } catch {
    console.warn('[tutti] IndexedDB unavailable: the library lasts only until this tab closes');
    return openMemoryLibrary();
  }
}

/** The IndexedDB-backed store if IndexedDB answers (not in some private modes), else `fallback`. */
async function durableOr<T extends { load(): Promise<unknown> }>(durable: T, fallback: () => T, warning: string): Promise<T> {
  try {
    await durable.load();
    return durable;
  } catch {
    console.warn(`[tutti] IndexedDB unavailable: ${warning}`);
    return fallback();
  }
}

function shareUrl(roomId: string): string {
  const url = new URL(location.origin + location.pathname);
  url.searchParams.set('room', roomId);
  return url.toString();
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `busy()` is false (checked every 250 ms after a grace period), or after `maxWaitMs`. */
async function whenQuiet(busy: () => boolean, maxWaitMs: number): Promise<void> {
  const startMs = performance.now();
  await delay(QUIET_GRACE_MS);
  while (busy() && performance.now() - startMs < maxWaitMs) await delay(250);
}

void main();
