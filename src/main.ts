/**
 * Entry point: read the room URL, load this device's identity, join the room and mount the UI.
 */
import './components/tutti-app.js';
import { RoomSession } from './room/room-session.js';
import { IdbDeviceStore, MemoryDeviceStore, type DeviceStore } from './shell/device-store.js';
import { installDiagnostics } from './shell/diagnostics.js';
import { BrowserInstallPrompt } from './shell/install-prompt.js';
import { IdbLastRoom, MemoryLastRoom, type LastRoomStore } from './shell/last-room.js';
import { IdTakenError, PeerTransport } from './shell/peer-transport.js';
import { serviceWorkerSupported, WorkboxUpdater } from './shell/service-worker.js';
import { signalingOptions } from './shell/signaling-config.js';
import { defaultSpeakerName } from './sync/device-name.js';
import { makePeerId, makeSpeakerId } from './sync/peer-ids.js';
import { makeRoomId, parseRoomParams } from './sync/room-params.js';
import { SkewedClock } from './sync/skewed-clock.js';
import type { TuttiApp } from './components/tutti-app.js';

const TAB_SPEAKER_KEY = 'tutti:tab-speaker-id';
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

  const clock = new SkewedClock(() => performance.now(), params.clockOffsetMs, params.clockRatePpm);
  let session: RoomSession | null = null;
  installDiagnostics(() => session, clock, params.debug);

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
  app.session = session;
  addEventListener('pagehide', () => {
    session?.sayGoodbye();
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

void main();
