/**
 * What a voice plays: a decoded buffer and where it sits in its track. A whole track starts at 0
 * and runs to the track's end; a part (a late joiner's slice of a track still arriving) starts at
 * `startSec` and ends before or at the end.
 */
import type { Seconds } from '../sync/units.js';

export interface TrackAudio {
  readonly buffer: AudioBuffer;
  /** Track position of the buffer's first frame, s (≥ 0). */
  readonly startSec: Seconds;
  /** Length of the whole track, s (≥ startSec + buffer.duration, up to rounding). */
  readonly trackDurationSec: Seconds;
}

/** A part ending within this of the track's end holds the end, s (a resampled slice may be a frame short). */
const END_TOLERANCE_SEC: Seconds = 0.005;

/** A decoded whole track. */
export function wholeTrack(buffer: AudioBuffer): TrackAudio {
  return { buffer, startSec: 0, trackDurationSec: buffer.duration };
}

/** Track position just after the audio's last frame, s. */
export function audioEndSec(audio: TrackAudio): Seconds {
  return audio.startSec + audio.buffer.duration;
}

/** Does the audio run to the end of its track (so its end is the track's end, not a gap)? */
export function reachesTrackEnd(audio: TrackAudio): boolean {
  return audioEndSec(audio) >= audio.trackDurationSec - END_TOLERANCE_SEC;
}
