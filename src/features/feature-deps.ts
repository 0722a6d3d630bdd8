/**
 * What a feature (voice, groups, calibration…) gets once the tab has joined its room: the app
 * element to put its UI into (as a slotted light-DOM child), the room, its playback services and
 * this device's pieces. A feature returns a function that disposes everything it made.
 */
import type { SpeakerEngine } from '../audio/speaker-engine.js';
import type { TuttiApp } from '../components/tutti-app.js';
import type { TrackLibrary } from '../library/track-library.js';
import type { RoomPlayback } from '../room/room-playback.js';
import type { RoomSession } from '../room/room-session.js';
import type { RoomParams } from '../sync/room-params.js';
import type { SkewedClock } from '../sync/skewed-clock.js';

export interface FeatureDeps {
  readonly app: TuttiApp;
  readonly session: RoomSession;
  readonly playback: RoomPlayback;
  /** Null on a remote-only member. */
  readonly engine: SpeakerEngine | null;
  readonly library: TrackLibrary;
  /** This tab's (possibly skewed, for tests) local clock. */
  readonly clock: SkewedClock;
  readonly params: RoomParams;
}

/** Starts a feature; returns its disposer. */
export type Feature = (deps: FeatureDeps) => () => void;
