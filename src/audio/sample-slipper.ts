/**
 * Drift correction by whole-sample slips: the correction rate (ppm) accrues owed samples, and each
 * whole one becomes a restart of the source one sample ahead or behind, at a render-quantum
 * boundary, with a one-quantum linear crossfade (the two copies are correlated). Sources always
 * play at playbackRate 1, which Chromium renders bit-exactly.
 *
 * Slips are taken as soon as they are owed (the engine calls {@link SampleSlipper.apply} every few
 * ms), at most one pending at a time: the audio then stays within a sample or two of the rate's
 * continuous correction. Taken once per 200 ms drift tick instead, each slip was 6–7 samples at
 * bench:sync's −700 ppm: a 0.14 ms sawtooth on every speaker, and window-to-window pair noise of
 * 0.12–0.13 ms p95 in its 10-minute recording (pair p95 0.21–0.26 ms).
 */
import { SlipAccumulator } from '../sync/output-slip.js';
import type { Ppm, Seconds } from '../sync/units.js';
import { SourceVoice } from './source-voice.js';

/** Render quantum, frames: slips start on quantum boundaries, so offsets stay whole samples. */
const QUANTUM_FRAMES = 128;

export class SampleSlipper {
  private accumulator = new SlipAccumulator();
  private lastSec = Number.NaN;
  /** Whole samples owed, not yet slipped (a slip was pending). */
  private owedSamples = 0;
  /** The voice the latest slip replaces, and the context time (s) the slip starts; null when none pends. */
  private pending: { readonly replaced: SourceVoice; readonly atSec: Seconds } | null = null;
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
    this.owedSamples = 0;
    this.pending = null;
    this.slipCount = 0;
    this.slippedSamples = 0;
  }

  /** A new source starts at `startSec`: nothing is owed before it (the rate is kept). */
  restartAt(startSec: Seconds): void {
    this.accumulator.reset();
    this.lastSec = startSec;
    this.owedSamples = 0;
    this.pending = null;
  }

  /**
   * Track position (s) heard at context time `ctxSec` from `voice` (the latest, as returned by
   * {@link apply}): while its slip has not started, the voice it replaces still sounds.
   */
  positionAt(voice: SourceVoice, ctxSec: Seconds): Seconds {
    const pending = this.pending;
    if (pending !== null && ctxSec < pending.atSec) return pending.replaced.playhead.positionAt(ctxSec);
    return voice.playhead.positionAt(ctxSec);
  }

  /**
   * Realise the samples owed up to `nowSec` on `voice` (playing into `bus`). Returns the voice to
   * continue with: a new one (on the same audio) when a slip was scheduled, else `voice` itself.
   */
  apply(voice: SourceVoice, bus: AudioNode, nowSec: Seconds): SourceVoice {
    if (!(nowSec > this.lastSec)) return voice;
    const ctx = bus.context as BaseAudioContext;
    const sr = ctx.sampleRate;
    this.owedSamples += this.accumulator.take((nowSec - this.lastSec) * sr);
    this.lastSec = nowSec;
    if (this.pending !== null && nowSec < this.pending.atSec) return voice;
    this.pending = null;
    const samples = this.owedSamples;
    if (samples === 0) return voice;
    const atSec = (Math.ceil(((nowSec + this.minLeadSec) * sr) / QUANTUM_FRAMES) * QUANTUM_FRAMES) / sr;
    const offsetSec = voice.playhead.positionAt(atSec) + samples / sr;
    this.owedSamples = 0;
    if (!(offsetSec >= voice.audio.startSec && offsetSec < voice.endPositionSec)) return voice;
    const fadeSec = QUANTUM_FRAMES / sr;
    const next = new SourceVoice(ctx, bus, { audio: voice.audio, whenSec: atSec, offsetSec, rate: 1, fadeInSec: fadeSec, fadeShape: 'linear', originSec: voice.originSec });
    voice.fadeOut(atSec, fadeSec, 'linear');
    this.pending = { replaced: voice, atSec };
    this.slipCount++;
    this.slippedSamples += samples;
    return next;
  }
}
