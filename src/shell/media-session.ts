/**
 * The browser's Media Session (lock screen, notification, hardware media keys) behind a small
 * port, so the controls logic can be tested with a fake. Every call is safe where the API or an
 * action is missing: browsers throw for actions they do not support, and those are skipped.
 */
import type { MediaAction } from '../sync/media-controls.js';
import type { Seconds } from '../sync/units.js';

/** Metadata shown by the system. `artworkUrl`: an image URL (e.g. an object URL of the cover). */
export interface MediaMetadataInfo {
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly artworkUrl: string | null;
  readonly artworkType: string | null;
}

/** What the browser passes a handler: the seek target or offset, s. */
export interface MediaActionCall {
  readonly seekTimeSec?: number;
  readonly seekOffsetSec?: number;
}

export interface MediaSessionPort {
  setMetadata(info: MediaMetadataInfo | null): void;
  setPlaybackState(state: 'none' | 'paused' | 'playing'): void;
  /** Duration and position, s; null clears it. Invariant: 0 ≤ positionSec ≤ durationSec. */
  setPositionState(state: { durationSec: Seconds; positionSec: Seconds; playbackRate: number } | null): void;
  /** Install handlers (replacing earlier ones); returns the actions the browser accepted. */
  setHandlers(handler: (action: MediaAction, call: MediaActionCall) => void, actions: readonly MediaAction[]): MediaAction[];
  /** Remove the handlers and clear what was shown. */
  dispose(): void;
}

/** The page's Media Session, or null where there is none (older browsers, insecure contexts). */
export function browserMediaSession(): MediaSessionPort | null {
  if (!('mediaSession' in navigator) || typeof MediaMetadata === 'undefined') return null;
  const session = navigator.mediaSession;
  let installed: MediaAction[] = [];
  const port: MediaSessionPort = {
    setMetadata(info) {
      session.metadata = info === null
        ? null
        : new MediaMetadata({
            title: info.title,
            artist: info.artist,
            album: info.album,
            artwork: info.artworkUrl === null ? [] : [{ src: info.artworkUrl, ...(info.artworkType ? { type: info.artworkType } : {}) }],
          });
    },
    setPlaybackState(state) {
      session.playbackState = state;
    },
    setPositionState(state) {
      try {
        if (state === null) session.setPositionState();
        else session.setPositionState({ duration: state.durationSec, position: Math.min(state.positionSec, state.durationSec), playbackRate: state.playbackRate });
      } catch (error) {
        console.warn('[tutti] media session position refused', error);
      }
    },
    setHandlers(handler, actions) {
      installed = actions.filter((action) => {
        try {
          session.setActionHandler(action, (details) => handler(action, { seekTimeSec: details.seekTime, seekOffsetSec: details.seekOffset }));
          return true;
        } catch {
          return false;
        }
      });
      return [...installed];
    },
    dispose() {
      for (const action of installed) {
        try {
          session.setActionHandler(action, null);
        } catch {
          // The browser accepted this action before; nothing to undo if it now refuses.
        }
      }
      installed = [];
      session.metadata = null;
      session.playbackState = 'none';
    },
  };
  return port;
}
