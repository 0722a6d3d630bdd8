/**
 * Entry point: read the room URL, load this device's identity and library, mount the UI, then load
 * the room's code and join the room (alone while offline). Sets the `tutti-ready` performance mark
 * once the controls work.
 */
import './components/tutti-app.js';
import { openBrowserLibrary, openMemoryLibrary } from './library/browser-library.js';
import { sha256Hex } from './library/sha256.js';
import type { TrackLibrary } from './library/track-library.js';
import type { RoomPlayback } from './room/room-playback.js';
import type { RoomSession } from './room/room-session.js';
import { IdbDeviceStore, MemoryDeviceStore, type DeviceStore } from './shell/device-store.js';
import { installDiagnostics } from './shell/diagnostics.js';
import { BrowserInstallPrompt } from './shell/install-prompt.js';
import { IdbLastRoom, MemoryLastRoom, type LastRoomStore } from './shell/last-room.js';
import { markJoinSteps } from './shell/join-marks.js';
import type { AppUpdater } from './shell/service-worker.js';
import { IdbSpeakerSettingsStore, MemorySpeakerSettingsStore, type SpeakerSettingsStore } from './shell/speaker-settings-store.js';
import { defaultSpeakerName } from './sync/device-name.js';
import { expectedPositionSec } from './sync/playout-schedule.js';
import type { DemoRenderOrder } from './library/demo-track-render.js';
import type { PlaybackPlan } from './sync/speaker-plan.js';
import { makeRoomId, parseRoomParams } from './sync/room-params.js';
import { SkewedClock } from './sync/skewed-clock.js';
import type { TuttiApp } from './components/tutti-app.js';
import { BrowserAudioOutput, type BrowserAudioOutputOptions } from './audio/audio-output.js';

const TAB_SPEAKER_KEY = 'tutti:tab-speaker-id';
/** Longest the demo track waits for this tab to finish joining the room's music, ms. */
const DEMO_MAX_WAIT_MS = 60_000;
/** A playing speaker is busy joining the music until its estimated |error| is below this, ms. */
const IN_SYNC_MS = 1;
/** After joining, the room settles (peers, clock, play state) this long before the demo is made, ms. */
const SETTLE_MS = 4_000;
/** How often the demo and the service worker check whether the tab is still busy joining, ms. */
const QUIET_CHECK_MS = 100;
/**
 * Longest the service worker's registration waits for the join to settle, ms. Installing it
 * precaches the whole app (57 files, ~0.8 MB): on a first visit that ran through the join, a busy
 * thread of the joiner's process (bench:late-join's traces: ~90 ms of CPU in every 0.5 s) on a
 * machine already short of CPU.
 */
const PWA_MAX_WAIT_MS = 30_000;
/**
 * A speaker joining the demo renders it first from the position due this far ahead, ms: its first
 * part (3 s) came 0.6 s after the order in bench:sync, and plays from the position due then (a
 * part may start before it). From 1 s ahead, the joiner waited 0.5 s more, silent, for the start.
 */
const DEMO_PART_LEAD_MS = 500;
/** It waits up to this long for its clock to know the room's time (RoomPlayback.roomTimeNow), ms. */
const DEMO_SYNC_WAIT_MS = 3_000;
/** Performance mark set once the app can play (room joined or running alone, controls rendered). */
const READY_MARK = 'tutti-ready';
/** Performance marks: main() starts (the entry bundle ran); the audio output's frame counter has loaded (or failed to). */
const MAIN_MARK = 'tutti-main';
const OUTPUT_MARK = 'tutti-output';
/** Performance marks: this device's record is read from IndexedDB; the room's code has loaded (both needed to join). */
const STORES_MARK = 'tutti-stores';
const CODE_MARK = 'tutti-code';
/** Performance marks: registering with signaling starts; registered (or running alone, signaling unreachable). */
const SIGNALING_MARK = 'tutti-signaling';
const JOINED_MARK = 'tutti-joined';
/** Performance marks: a tab joining the demo starts rendering it from the room's position; the demo is in the library (made or found). */
const RENDER_MARK = 'tutti-render';
const DEMO_MARK = 'tutti-demo';
/** Performance mark: the service worker's registration starts (the join settled). */
const SW_MARK = 'tutti-sw';

async function main(): Promise<void> {
  const app = document.querySelector('tutti-app');
  if (app === null) throw new Error('index.html lacks <tutti-app>');
  performance.mark(MAIN_MARK);
  const params = parseRoomParams(location.search);
  // The room's code (session, playback, audio, features, PeerJS) is not needed for first paint:
  // fetch it while IndexedDB opens, then wait for it below.
  const roomCode = loadRoomCode();
  for (const problem of params.problems) console.warn(`[tutti] ignoring URL parameter: ${problem}`);
  let joinSettled: () => void = () => undefined;
  const disposePwa = startPwa(app, new Promise<void>((resolve) => (joinSettled = resolve)));

  // IndexedDB stores open in parallel (each is a round trip to the database); only the room id and
  // this device's identity are needed to start joining.
  const lastRoomP = durableOr<LastRoomStore>(new IdbLastRoom(), () => new MemoryLastRoom(), 'the last room will not be remembered');
  const storeP = durableOr<DeviceStore>(new IdbDeviceStore(), () => new MemoryDeviceStore(), 'this speaker will not be remembered');
  const libraryP = openLibrary();
  const settingsStoreP = durableOr<SpeakerSettingsStore>(new IdbSpeakerSettingsStore(), () => new MemorySpeakerSettingsStore(), 'speaker settings will not be remembered');
  // A speaker's output starts once those requests are out (creating its AudioContext blocks this
  // thread: 60–210 ms in bench:late-join's joiners). Its render clock needs ~1 s of rendered audio
  // before the output time is known to 1 ms, and a joiner plays no sooner: its module is in the
  // entry's static imports (fetched with it), not loaded after it. The frame counter's reports are
  // stamped in a worker, so the page loading meanwhile does not bend that clock.
  const output = params.role === 'remote' ? null : startOutput({ timingMode: params.outputTiming, frameTransport: params.frameCounter, logTimingInputs: params.debug && params.timingLog, hiddenDelayMs: params.hiddenDelayMs });

  // `/` makes a fresh room; `/?resume=1` (the installed app's start URL) reopens the last one.
  const lastRoom = await lastRoomP;
  const roomId = params.roomId ?? (params.resume ? await lastRoom.load() : null) ?? makeRoomId(Math.random);
  if (params.roomId === null) {
    const url = new URL(location.href);
    url.searchParams.delete('resume');
    url.searchParams.set('room', roomId);
    history.replaceState(null, '', url);
  }
  app.roomUrl = shareUrl(roomId);
  void lastRoom.save(roomId).catch(() => console.warn('[tutti] could not remember the last room'));

  const store = await storeP;
  const device = await store.load();
  performance.mark(STORES_MARK);
  const name = params.name ?? device.name ?? defaultSpeakerName(navigator.userAgent, navigator.maxTouchPoints);
  if (params.name !== null && params.name !== device.name) void store.saveName(params.name);
  app.addEventListener('name-change', (event) => void store.saveName(event.name));

  const clock = new SkewedClock(() => performance.now(), params.clockOffsetMs, params.clockRatePpm);
  // Offline, the session starts alone (this tab leads a room of one) and joins the others when
  // the network returns.
  const [{ joinRoom, unreachableMessage }, { RoomPlayback }, { SpeakerEngine }, { startFeatures }] = await roomCode;
  performance.mark(CODE_MARK);
  performance.mark(SIGNALING_MARK);
  // A tab keeps the device's speaker id unless another tab of this browser holds it.
  const joining = joinRoom({
    roomId,
    name,
    role: params.role,
    signaling: params.signaling,
    now: clock.now,
    speakerId: sessionStorage.getItem(TAB_SPEAKER_KEY) ?? device.speakerId,
    onNewSpeakerId: (speakerId) => sessionStorage.setItem(TAB_SPEAKER_KEY, speakerId),
  });
  const library = await libraryP;
  app.library = library;
  const settingsStore = await settingsStoreP;
  const settings = await settingsStore.load();

  let session: RoomSession | null = null;
  let playback: RoomPlayback | null = null;
  // The demo track costs seconds of CPU: make it once this tab is not busy joining the music,
  // or at once when the demo is what its zone plays (it is never fetched from peers). The service
  // worker registers once the join is over.
  let joinedAtMs = Number.POSITIVE_INFINITY;
  const busyJoining = (report = playback?.speaker.report()): boolean => {
    if (playback === null || report === undefined) return true;
    if (performance.now() - joinedAtMs < SETTLE_MS) return true;
    if (report.phase === 'playing' && Math.abs(report.errorMs ?? Infinity) > IN_SYNC_MS) return true;
    return playback.exchange.transfers().length > 0 || report.phase === 'loading' || report.phase === 'decoding' || report.phase === 'scheduled';
  };
  // A speaker joining the demo renders it from the room's position first and plays those parts
  // while the rest renders; any speaker plays parts from the start if the demo is played meanwhile.
  // Where the room is needs the shared timeline: a joiner waits (briefly) for its clock to sync.
  const demoPlan = (): PlaybackPlan | null => {
    const plan = playback?.speaker.plan() ?? null;
    return plan !== null && plan.trackId === library.demoId && plan.status === 'playing' ? plan : null;
  };
  const demoOrder = async (): Promise<DemoRenderOrder> => {
    const waitFromMs = performance.now();
    while (demoPlan() !== null && playback?.roomTimeNow() === null && performance.now() - waitFromMs < DEMO_SYNC_WAIT_MS) await delay(100);
    const plan = demoPlan();
    const roomNowMs = playback?.roomTimeNow() ?? null;
    const firstSec = plan !== null && roomNowMs !== null ? Math.max(0, expectedPositionSec(roomNowMs + DEMO_PART_LEAD_MS, plan)) : 0;
    if (plan !== null) performance.mark(RENDER_MARK);
    return { firstSec, onPart: engine === null ? undefined : (part) => engine.offerPart(library.demoId, part.bytes, part.startSec, part.durationSec) };
  };
  void whenQuiet(busyJoining, PWA_MAX_WAIT_MS).then(() => joinSettled());
  const joiningOtherMusic = (): boolean => {
    const report = playback?.speaker.report();
    return report?.trackId !== library.demoId && busyJoining(report);
  };
  void whenQuiet(joiningOtherMusic, DEMO_MAX_WAIT_MS)
    .then(demoOrder)
    .then((order) => library.ensureDemoTrack((_phase, fraction) => (app.demoProgress = fraction), order))
    .then(() => performance.mark(DEMO_MARK))
    .catch((error: unknown) => console.warn('[tutti] could not make the demo track', error))
    .finally(() => (app.demoProgress = null));
  installDiagnostics(() => session, clock, params.debug, () => playback, () => output?.takeTimingLog() ?? null);

  const engine = output === null
    ? null
    : new SpeakerEngine({
        output,
        timeline: {
          toShared: (localMs) => session?.timeline.toShared(localMs) ?? localMs,
          toLocal: (sharedMs) => session?.timeline.toLocal(sharedMs) ?? sharedMs,
          uncertaintyMs: () => (session === null ? Number.POSITIVE_INFINITY : session.timeline.role === 'authority' ? 0 : session.timeline.state().uncertaintyMs),
        },
        clock,
        loadBytes: (trackId) => playback?.readBytes(trackId) ?? library.readBytes(trackId),
        trimMs: settings.trimMs,
      });
  // Browsers start audio only inside a user gesture: unlock in every one, synchronously (before
  // any await). A touch activates the page on touchend / pointerup, not on pointerdown.
  const unlock = (): void => engine?.unlock();
  for (const type of ['pointerdown', 'pointerup', 'touchend', 'keydown', 'click'] as const) addEventListener(type, unlock, { capture: true });
  const joined = await joining;
  performance.mark(JOINED_MARK);
  session = joined.session;
  const room = joined.session;
  const showReachability = (): void => {
    app.error = unreachableMessage(joined, navigator.onLine);
  };
  room.addEventListener('change', showReachability);
  showReachability();
  playback = new RoomPlayback({ session: room, role: params.role, library, engine, settingsStore, settings, hash: sha256Hex, now: clock.now });
  joinedAtMs = performance.now();
  app.session = session;
  app.playback = playback;
  const stopFeatures = startFeatures({ app, session: room, playback, engine, library, clock, params });
  const stopMarks = markJoinSteps(room, playback);
  void customElements.whenDefined('tutti-music').then(() => app.updateComplete).then(() => performance.mark(READY_MARK));
  addEventListener('pagehide', () => {
    stopFeatures();
    stopMarks();
    room.removeEventListener('change', showReachability);
    session?.sayGoodbye();
    playback?.dispose();
    output?.dispose();
    session?.dispose();
    library.dispose();
    disposePwa();
  });
}

/**
 * Install prompt and (production builds only) the service worker with its update prompt; the
 * worker's code (workbox-window) loads lazily, and registers once `settled` resolves. Returns a
 * function that disposes both.
 */
function startPwa(app: TuttiApp, settled: Promise<void>): () => void {
  const install = new BrowserInstallPrompt();
  app.installMode = install.mode;
  install.onChange((mode) => (app.installMode = mode));
  app.addEventListener('install-request', () => void install.prompt());
  if (!import.meta.env.PROD) return () => install.dispose();
  let updater: AppUpdater | null = null;
  let disposed = false;
  void settled
    .then(() => import('./shell/service-worker.js'))
    .then(async ({ serviceWorkerSupported, WorkboxUpdater }) => {
      if (disposed || !serviceWorkerSupported()) return;
      const workbox = new WorkboxUpdater();
      updater = workbox;
      workbox.onUpdateReady(() => (app.updateReady = true));
      app.addEventListener('update-accept', () => workbox.applyUpdate());
      performance.mark(SW_MARK);
      await workbox.start();
    })
    .catch((error: unknown) => console.warn('[tutti] service worker not registered:', error));
  return () => {
    disposed = true;
    install.dispose();
    updater?.dispose();
  };
}

/** The tab's audio output, marking {@link OUTPUT_MARK} once its frame counter has loaded (or failed to). */
function startOutput(options: Partial<BrowserAudioOutputOptions>): BrowserAudioOutput {
  const output = new BrowserAudioOutput(options);
  void output.whenLoaded().then(() => performance.mark(OUTPUT_MARK));
  return output;
}

/** The lazily loaded room modules; PeerJS (loaded by the transport on its first attempt) is warmed too. */
function loadRoomCode() {
  import('./shell/peer-transport.js').catch(() => undefined);
  return Promise.all([
    import('./shell/room-join.js'),
    import('./room/room-playback.js'),
    import('./audio/speaker-engine.js'),
    import('./features/features.js'),
  ]);
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

/** Resolves once `busy()` is false (checked every {@link QUIET_CHECK_MS}), or after `maxWaitMs`. */
async function whenQuiet(busy: () => boolean, maxWaitMs: number): Promise<void> {
  const startMs = performance.now();
  while (busy() && performance.now() - startMs < maxWaitMs) await delay(QUIET_CHECK_MS);
}

void main();
