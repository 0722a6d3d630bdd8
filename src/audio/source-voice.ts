/**
 * One scheduled AudioBufferSourceNode with its own fade gain and the {@link OutputPlayhead} that
 * says which track position it renders when. Fades are equal-power (sin/cos) so a crossfade
 * between two voices playing the same music keeps the level.
 */
import { OutputPlayhead } from '../sync/output-playhead.js';
import type { Seconds } from '../sync/units.js';
import { audioEndSec, type TrackAudio } from './track-audio.js';

const CURVE_POINTS = 32;
const FADE_IN = Float32Array.from({ length: CURVE_POINTS }, (_, i) => Math.sin(((i / (CURVE_POINTS - 1)) * Math.PI) / 2));
const FADE_OUT = Float32Array.from({ length: CURVE_POINTS }, (_, i) => Math.cos(((i / (CURVE_POINTS - 1)) * Math.PI) / 2));
const LINEAR_IN = Float32Array.from({ length: CURVE_POINTS }, (_, i) => i / (CURVE_POINTS - 1));
const LINEAR_OUT = Float32Array.from({ length: CURVE_POINTS }, (_, i) => 1 - i / (CURVE_POINTS - 1));

/**
 * Fade shape: equal-power for a reschedule (positions milliseconds apart: partly uncorrelated),
 * linear (equal-gain) for a slip of a few samples (fully correlated: gains must sum to 1).
 */
export type FadeShape = 'equal-power' | 'linear';

/** Start parameters of a {@link SourceVoice}. */
export interface VoiceStart {
  readonly audio: TrackAudio;
  /** Context time of the first rendered frame, s. */
  readonly whenSec: Seconds;
  /** Track position at whenSec, s (within the audio: audio.startSec ≤ offsetSec). */
  readonly offsetSec: Seconds;
  /** playbackRate (float32-representable). */
  readonly rate: number;
  /** Fade-in length, s (0: start at full level). */
  readonly fadeInSec: Seconds;
  readonly fadeShape?: FadeShape;
  /**
   * Context time (s) the music this voice continues began: a slip's or an audio switch's replaces
   * a voice and keeps its origin (default: whenSec).
   */
  readonly originSec?: Seconds;
}

export class SourceVoice {
  readonly playhead: OutputPlayhead;
  readonly audio: TrackAudio;
  /** Track position just after the last frame this voice can play, s. */
  readonly endPositionSec: Seconds;
  /** Context time (s) the music this voice continues began (its own start unless it replaced one). */
  readonly originSec: Seconds;
  private readonly source: AudioBufferSourceNode;
  private readonly gain: GainNode;
  private stopped = false;

  constructor(context: BaseAudioContext, destination: AudioNode, start: VoiceStart) {
    this.audio = start.audio;
    this.endPositionSec = audioEndSec(start.audio);
    this.originSec = start.originSec ?? start.whenSec;
    this.gain = context.createGain();
    this.source = context.createBufferSource();
    this.source.buffer = start.audio.buffer;
    this.source.playbackRate.value = start.rate;
    this.source.connect(this.gain).connect(destination);
    if (start.fadeInSec > 0) {
      this.gain.gain.setValueAtTime(0, 0);
      this.gain.gain.setValueCurveAtTime(start.fadeShape === 'linear' ? LINEAR_IN : FADE_IN, start.whenSec, start.fadeInSec);
    }
    this.source.start(start.whenSec, Math.max(0, start.offsetSec - start.audio.startSec));
    this.playhead = new OutputPlayhead(start.whenSec, start.offsetSec, start.rate);
  }

  /** Context time (s) at which the end of the buffer is rendered. */
  get endSec(): Seconds {
    return this.playhead.contextAt(this.endPositionSec);
  }

  /** Fade out from atSec over fadeSec, then stop. */
  fadeOut(atSec: Seconds, fadeSec: Seconds, shape: FadeShape = 'equal-power'): void {
    if (this.stopped) return;
    this.stopped = true;
    const g = this.gain.gain;
    g.cancelScheduledValues(atSec);
    g.setValueCurveAtTime(shape === 'linear' ? LINEAR_OUT : FADE_OUT, atSec, fadeSec);
    this.source.stop(atSec + fadeSec);
    this.source.onended = () => this.disconnect();
  }

  /** Stop now, no fade (disposal). */
  dispose(): void {
    this.stopped = true;
    try {
      this.source.stop();
    } catch {
      // never started or already stopped
    }
    this.disconnect();
  }

  private disconnect(): void {
    this.source.disconnect();
    this.gain.disconnect();
  }
}
