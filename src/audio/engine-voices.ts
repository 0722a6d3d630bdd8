/**
 * The speaker engine's sources for its plan: the voice playing (or scheduled), and the previous
 * plan's voice kept sounding until its successor starts, then crossfaded. Voices start where
 * planStart says; each start tells the drift loop (slips count from it, a fresh policy takes the
 * measured correction rate), and the drift loop's slips replace the voice.
 */
import type { PlaybackPlan } from '../sync/speaker-plan.js';
import { planStart } from '../sync/playout-schedule.js';
import type { Milliseconds, Seconds } from '../sync/units.js';
import type { EngineScheduleClock } from './engine-clock.js';
import type { DriftLoop } from './drift-loop.js';
import { SourceVoice } from './source-voice.js';

/** Fades and crossfades, s. */
const FADE_SEC = 0.01;
/** A voice stopped now fades out from at least this far ahead, s. */
const STOP_LEAD_SEC = 0.005;

export class EngineVoices {
  private current: SourceVoice | null = null;
  /** The previous plan's voice, kept sounding until the new plan's voice starts (then crossfaded). */
  private departing: SourceVoice | null = null;

  /** `minLeadSec`: start() is never scheduled closer than this to currentTime, s. */
  constructor(
    private readonly context: BaseAudioContext,
    private readonly bus: AudioNode,
    private readonly clock: EngineScheduleClock,
    private readonly drift: DriftLoop,
    private readonly minLeadSec: Seconds,
  ) {}

  /** The voice playing or scheduled, or null. */
  get voice(): SourceVoice | null {
    return this.current;
  }

  /**
   * A new plan: with `keepSounding` (a track boundary or a seek while playing) the current voice
   * sounds on until the new one starts, so there is no gap; otherwise it fades out now.
   */
  handOver(keepSounding: boolean): void {
    this.releaseDeparting();
    if (keepSounding && this.current !== null) {
      this.departing = this.current;
      this.current = null;
    } else {
      this.stop();
    }
  }

  /** Start the plan's voice (crossfading from a departing one); false when the track is over. */
  start(plan: PlaybackPlan, buffer: AudioBuffer, offsetMs: Milliseconds): boolean {
    this.current = this.startVoice(plan, buffer, offsetMs, this.departing);
    if (this.current === null) this.releaseDeparting();
    this.departing = null;
    return this.current !== null;
  }

  /** Crossfade to a new voice at the right offset; false when there is nothing to replace or the track is over. */
  reschedule(plan: PlaybackPlan, buffer: AudioBuffer, offsetMs: Milliseconds): boolean {
    if (this.current === null) return false;
    const next = this.startVoice(plan, buffer, offsetMs, this.current);
    if (next === null) return false;
    this.current = next;
    return true;
  }

  /** Realise the drift loop's correction rate on the current voice (a slip replaces it). */
  applySlips(buffer: AudioBuffer, nowSec: Seconds): void {
    if (this.current !== null) this.current = this.drift.applySlips(this.current, buffer, this.bus, nowSec);
  }

  /** The current voice has played to its end. */
  finished(): void {
    this.current = null;
  }

  dispose(): void {
    this.current?.dispose();
    this.current = null;
    this.departing?.dispose();
    this.departing = null;
  }

  /** A voice for the plan at the drift loop's rate, fading in unless it starts at the very beginning. */
  private startVoice(plan: PlaybackPlan, buffer: AudioBuffer, offsetMs: Milliseconds, crossfadeFrom: SourceVoice | null): SourceVoice | null {
    const start = planStart({
      state: plan,
      durationSec: buffer.duration,
      clock: this.clock,
      outputLatencySec: 0,
      trimMs: offsetMs,
      nowContextSec: this.context.currentTime,
      minLeadSec: this.minLeadSec,
    });
    if (start === null) return null;
    const fade = crossfadeFrom !== null || start.offsetSec > 0;
    const voice = new SourceVoice(this.context, this.bus, { buffer, whenSec: start.whenSec, offsetSec: start.offsetSec, rate: 1, fadeInSec: fade ? FADE_SEC : 0 });
    this.drift.restartAt(start.whenSec, this.clock.rateHintPpm(this.context.currentTime));
    crossfadeFrom?.fadeOut(start.whenSec, FADE_SEC);
    return voice;
  }

  /** Fade out the departing voice now (a newer plan replaced it before its successor started). */
  private releaseDeparting(): void {
    const voice = this.departing;
    this.departing = null;
    fadeOutNow(this.context, voice);
  }

  private stop(): void {
    const voice = this.current;
    this.current = null;
    fadeOutNow(this.context, voice);
  }
}

function fadeOutNow(context: BaseAudioContext, voice: SourceVoice | null): void {
  voice?.fadeOut(Math.max(context.currentTime + STOP_LEAD_SEC, voice.playhead.startSec), FADE_SEC);
}
