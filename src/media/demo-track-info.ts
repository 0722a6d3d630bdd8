/**
 * What every device knows about the built-in demo track without rendering it (kept apart from the
 * synthesizer so the first-load bundle stays small): its tags, rendering defaults, duration and
 * pinned content id.
 */

/** Title tag of the demo track. */
export const DEMO_TRACK_TITLE = 'Tutti Demo';
/** Artist tag of the demo track. */
export const DEMO_TRACK_ARTIST = 'Tutti';
/** Album tag of the demo track. */
export const DEMO_TRACK_ALBUM = 'Built-in';

/** Tags written into the WAV LIST/INFO chunk (INAM/IART/IPRD). */
export const DEMO_TRACK_METADATA = {
  title: DEMO_TRACK_TITLE,
  artist: DEMO_TRACK_ARTIST,
  album: DEMO_TRACK_ALBUM,
} as const;

/** Defaults of the renderer's options. Changing any of them changes the demo track's id. */
export const DEMO_TRACK_DEFAULTS = {
  sampleRateHz: 44100,
  durationSec: 180,
  seed: 0x7e771,
  chunkFrames: 16384,
} as const;

/** Length of the default demo track, s (whole frames). */
export const DEMO_TRACK_DURATION_SEC = Math.round(DEMO_TRACK_DEFAULTS.durationSec * DEMO_TRACK_DEFAULTS.sampleRateHz) / DEMO_TRACK_DEFAULTS.sampleRateHz;

/** SHA-256 of the default demo track's WAV bytes (pinned by test/unit/demo-track.test.ts). */
export const DEMO_TRACK_ID = '67715e65125d6675df5f8263ff09021d3a8e47880eef60aff242069786f53dcf';
