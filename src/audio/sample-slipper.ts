/**
 * Drift correction by whole-sample slips: the correction rate (ppm) accrues owed samples, and each
 * whole one becomes a restart of the source one sample ahead or behind, at a render-quantum
 * boundary, with a one-quantum linear crossfade (the two copies are correlated). Sources always
 * play at playbackRate 1, which Chromium renders bit-exactly.
 */
import { SlipAccumulator } from '../sync/output-slip.js';
import type { Ppm, Seconds } from '../sync/units.js';
import { SourceVoice } from './source-voice.js';

/** Render quantum, frames: slips start on quantum boundaries, so offsets stay whole samples. */
const QUANTUM_FRAMES = 128;

export class SampleSlipper {
  private accumulator = new SlipAccumulator();
  private lastSec = Number.NaN;
  private slipCount = 0;
  private slippedSamples = 0;

  /** @param minLeadSec slips are never scheduled closer than this to the context's current time */
  constructor(private readonly minLeadSec: Seconds) {}

  /** Correction rate in effect, ppm. */
  get ratePpm(): Ppm {
    return this.accumulator.ratePpm;
  }

  /** Slips made, and samples skipped (+) or repeated (−) in total, since the last clear. */
  get counts(): { readonly slips: number; readonly slippedSamples: number } {
    return { slips: this.slipCount, slippedSamples: this.slippedSamples };
  }

  setRate(ratePpm: Ppm): void {
    this.accumulator.setRate(ratePpm);
  }

  /** A new plan: rate 0, nothing owed, counters cleared. */
  clear(): void {
    this.accumulator = new SlipAccumulator();
    this.lastSec = Number.NaN;
    this.slipCount = 0;
    this.slippedSamples = 0;
  }

  /** A new source starts at `startSec`: nothing is owed before it (the rate is kept). */
  restartAt(startSec: Seconds): void {
    this.accumulator.reset();
    this.lastSec = startSec;
  }

  /**
   * Realise the samples owed up to `nowSec` on `voice` (playing into `bus`). Returns the voice to
   * continue with: a new one (on the same audio) when a slip was scheduled, else `voice` itself.
   */
  apply(voice: SourceVoice, bus: AudioNode, nowSec: Seconds): SourceVoice {
    if (!(nowSec > this.lastSec)) return voice;
    const ctx = bus.context as BaseAudioContext;
    const sr = ctx.sampleRate;
    const samples = this.accumulator.take((nowSec - this.lastSec) * sr);
    this.lastSec = nowSec;
    if (samples === 0) return voice;
    const atSec = (Math.ceil(((nowSec + this.minLeadSec) * sr) / QUANTUM_FRAMES) * QUANTUM_FRAMES) / sr;
    const offsetSec = voice.playhead.positionAt(atSec) + samples / sr;
    if (!(offsetSec >= voice.audio.startSec && offsetSec < voice.endPositionSec)) return voice;
    const fadeSec = QUANTUM_FRAMES / sr;
    const next = new SourceVoice(ctx, bus, { audio: voice.audio, whenSec: atSec, offsetSec, rate: 1, fadeInSec: fadeSec, fadeShape: 'linear' });
    voice.fadeOut(atSec, fadeSec, 'linear');
    this.slipCount++;
    this.slippedSamples += samples;
    return next;
  }
}
