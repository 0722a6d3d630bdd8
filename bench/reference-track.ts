/**
 * The demo track as the ground-truth reference of the audio benchmarks: rendered once (≈ 2 s),
 * available as WAV bytes (whole or a prefix with identical samples) and as a mono mix resampled
 * to a recording rate.
 */
import { renderDemoTrackWav } from '../src/media/demo-track.js';
import { decodeWavPcm16, encodeWavPcm16, pcm16ToFloatChannels } from '../src/media/wav.js';
import type { Seconds } from '../src/sync/units.js';
import { resample } from './resample.js';

/** The rendered demo track. */
export class ReferenceTrack {
  readonly rateHz: number;
  readonly left: Float32Array;
  readonly right: Float32Array;

  constructor(readonly wavBytes: Uint8Array = renderDemoTrackWav()) {
    const decoded = decodeWavPcm16(wavBytes);
    const [left, right] = pcm16ToFloatChannels(decoded.pcm16, decoded.channelCount);
    if (left === undefined || right === undefined) throw new Error('demo track is not stereo');
    this.rateHz = decoded.sampleRateHz;
    this.left = left;
    this.right = right;
  }

  get durationSec(): Seconds {
    return this.left.length / this.rateHz;
  }

  /** A WAV of the first `seconds` of the track (same samples as the whole track there). */
  prefixWav(seconds: Seconds): Uint8Array {
    const frames = Math.min(this.left.length, Math.round(seconds * this.rateHz));
    return encodeWavPcm16([this.left.subarray(0, frames), this.right.subarray(0, frames)], this.rateHz);
  }

  /** Mono mix (L+R)/2 of the first `seconds` (default all), resampled to `rateHz`. */
  monoAt(rateHz: number, seconds: Seconds = this.durationSec): Float32Array {
    const frames = Math.min(this.left.length, Math.round(seconds * this.rateHz));
    const mono = new Float32Array(frames);
    for (let i = 0; i < frames; i++) mono[i] = 0.5 * (this.left[i]! + this.right[i]!);
    return resample(mono, this.rateHz, rateHz);
  }
}
