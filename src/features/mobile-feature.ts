/**
 * The mobile survival kit's wiring into the app (see feature-deps.ts): the 'playback' audio
 * session, lock-screen / hardware-key controls (Media Session), a Screen Wake Lock and a silent
 * media element while this device plays, resuming audio when the page comes back (the engine's drift loop then resyncs),
 * and a warning when this device may stop (or did stop) playing in the background.
 */
import '../components/background-warning.js';
import { preferPlaybackAudioSession } from '../shell/audio-session.js';
import { LockScreenControls, type ZoneControls } from '../shell/lock-screen-controls.js';
import { MediaKeepAlive } from '../shell/media-keepalive.js';
import { browserMediaSession } from '../shell/media-session.js';
import { documentVisibility, ScreenWakeLock } from '../shell/wake-lock.js';
import { backgroundWarning } from '../sync/background-risk.js';
import { ZoneStatus } from '../sync/play-state.js';
import type { FeatureDeps } from './feature-deps.js';

export function startMobile(deps: FeatureDeps): () => void {
  const { app, playback, engine, library } = deps;
  const disposers: Array<() => void> = [];
  preferPlaybackAudioSession();

  const zone: ZoneControls = {
    ownZone: () => playback.coordinator.ownZone(),
    sharedNow: () => playback.sharedNow(),
    command: (command) => playback.zoneCommand(command),
    onChange: (listener) => {
      playback.addEventListener('change', listener);
      return () => playback.removeEventListener('change', listener);
    },
  };
  const port = browserMediaSession();
  if (port !== null) {
    const controls = new LockScreenControls(port, zone, { album: (trackId) => library.get(trackId)?.album ?? '', cover: (trackId) => library.cover(trackId) });
    disposers.push(() => controls.dispose());
  }

  // Only a device that makes sound needs the screen awake, and a media element playing (silent)
  // so the system treats the page as playing media.
  const wakeLock = new ScreenWakeLock();
  disposers.push(() => wakeLock.dispose());
  if (engine !== null) {
    const keepAlive = new MediaKeepAlive();
    disposers.push(() => keepAlive.dispose());
    const holdWhilePlaying = (): void => {
      const playing = zone.ownZone()?.status === ZoneStatus.playing;
      void wakeLock.setWanted(playing);
      keepAlive.setPlaying(playing);
    };
    disposers.push(zone.onChange(holdWhilePlaying));
    holdWhilePlaying();
  }

  const warning = document.createElement('tutti-background-warning');
  warning.slot = 'mobile';
  app.append(warning);
  disposers.push(() => warning.remove());
  let stoppedInBackground = false;
  let dismissed = false;
  const showWarning = (): void => {
    const message = backgroundWarning({
      userAgent: navigator.userAgent,
      maxTouchPoints: navigator.maxTouchPoints,
      wakeLockSupported: wakeLock.supported,
      stoppedInBackground,
    });
    warning.message = dismissed ? null : message;
  };
  const onDismiss = (): void => {
    dismissed = true;
    showWarning();
  };
  warning.addEventListener('background-warning-dismiss', onDismiss);
  showWarning();

  // Back from the background: resume a context the system suspended (allowed after an earlier
  // gesture on most browsers; otherwise the next tap does it), and say so if sound had stopped.
  if (engine !== null) {
    let playingWhenHidden = false;
    const onVisibility = (): void => {
      if (!documentVisibility.visible) {
        playingWhenHidden = engine.report().phase === 'playing';
        return;
      }
      if (playingWhenHidden && engine.report().phase === 'blocked') {
        stoppedInBackground = true;
        dismissed = false;
        showWarning();
      }
      playingWhenHidden = false;
      engine.unlock();
    };
    const onPageShow = (): void => engine.unlock();
    disposers.push(documentVisibility.onChange(onVisibility));
    addEventListener('pageshow', onPageShow);
    document.addEventListener('resume', onPageShow);
    disposers.push(() => {
      removeEventListener('pageshow', onPageShow);
      document.removeEventListener('resume', onPageShow);
    });
  }

  return () => {
    warning.removeEventListener('background-warning-dismiss', onDismiss);
    for (const dispose of disposers.reverse()) dispose();
  };
}
