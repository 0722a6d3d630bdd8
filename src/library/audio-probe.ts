/** Checking that this browser can decode a file, and how long it plays, with Web Audio. */

/** What decoding found. `durationSec > 0` and finite. */
export interface AudioProbe {
  readonly durationSec: number;
}

/** Decodes `bytes` (not modified); rejects when they are not audio this browser can play. */
export type ProbeAudio = (bytes: Uint8Array) => Promise<AudioProbe>;

/**
 * Decodes with `OfflineAudioContext.decodeAudioData` (on a copy: decoding detaches its buffer).
 * Note: decoding holds the whole track as float PCM (≈ 21 MB per stereo minute at 44.1 kHz) until
 * it is collected; the duration is the decoded length.
 */
export const probeAudioInBrowser: ProbeAudio = async (bytes) => {
  const context = new OfflineAudioContext(1, 1, 44100);
  const decoded = await context.decodeAudioData(bytes.slice().buffer);
  const durationSec = decoded.duration;
  if (!(durationSec > 0) || !Number.isFinite(durationSec)) throw new Error('decoded to no audio');
  return { durationSec };
};
