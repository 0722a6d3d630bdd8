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
import { audioEndSec, type TrackAudio } from './track-audio.js';

/** Fades and crossfades, s. */
const FADE_SEC = 0.01;
/** A voice stopped now fades out from at least this far ahead, s. */
const STOP_LEAD_SEC = 0.005;
/** A part of a track is started only with at least this much of it still ahead, s. */
const MIN_PART_RUNWAY_SEC = 1;

/**
 * What a start did: 'started'; 'over' (the track is over); 'uncovered' (the audio at hand, a part
 * of the track, does not hold the position due: wait for more).
 */
export type VoiceStartOutcome = 'started' | 'over' | 'uncovered';

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

  /** Start the plan's voice (crossfading from a departing one). */
  start(plan: PlaybackPlan, audio: TrackAudio, offsetMs: Milliseconds): VoiceStartOutcome {
    const voice = this.startVoice(plan, audio, offsetMs, this.departing);
    if (voice === 'uncovered') return voice;
    this.current = voice;
    if (this.current === null) this.releaseDeparting();
    this.departing = null;
    return this.current !== null ? 'started' : 'over';
  }

  /**
   * Crossfade to a new voice at the right offset; false when there is nothing to replace, the
   * track is over or the audio does not hold the position.
   */
  reschedule(plan: PlaybackPlan, audio: TrackAudio, offsetMs: Milliseconds): boolean {
    if (this.current === null) return false;
    const next = this.startVoice(plan, audio, offsetMs, this.current);
    if (next === null || next === 'uncovered') return false;
    this.current = next;
    return true;
  }

  /**
   * Continue the current voice's playhead on other audio of the same track (a longer part, or the
   * whole): a new voice from the very position the current one reaches then, a linear crossfade
   * (the same samples at the same times), no change of timing or of the drift loop. False when
   * nothing plays or `audio` lacks that position.
   */
  switchAudio(audio: TrackAudio): boolean {
    const current = this.current;
    if (current === null) return false;
    const sampleRateHz = this.context.sampleRate;
    // Not before the current voice starts (a pending slip): the voice it replaces ends there.
    const atSec = Math.max(Math.ceil((this.context.currentTime + this.minLeadSec) * sampleRateHz) / sampleRateHz, current.playhead.startSec);
    const offsetSec = current.playhead.positionAt(atSec);
    if (offsetSec < audio.startSec || offsetSec >= audioEndSec(audio) - FADE_SEC) return false;
    this.current = new SourceVoice(this.context, this.bus, { audio, whenSec: atSec, offsetSec, rate: 1, fadeInSec: FADE_SEC, fadeShape: 'linear', originSec: current.originSec });
    current.fadeOut(atSec, FADE_SEC, 'linear');
    return true;
  }

  /** Realise the drift loop's correction rate on the current voice (a slip replaces it). */
  applySlips(nowSec: Seconds): void {
    if (this.current !== null) this.current = this.drift.applySlips(this.current, this.bus, nowSec);
  }

  /** Track position (s) heard from the current voice at context time `ctxSec` (NaN without one). */
  positionAt(ctxSec: Seconds): Seconds {
    return this.current === null ? Number.NaN : this.drift.positionAt(this.current, ctxSec);
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

  /**
   * A voice for the plan at the drift loop's rate, fading in unless it starts at the very
   * beginning; null when the track is over, 'uncovered' when `audio` lacks the position due.
   */
  private startVoice(plan: PlaybackPlan, audio: TrackAudio, offsetMs: Milliseconds, crossfadeFrom: SourceVoice | null): SourceVoice | null | 'uncovered' {
    const start = planStart({
      state: plan,
      durationSec: audio.trackDurationSec,
      clock: this.clock,
      outputLatencySec: 0,
      trimMs: offsetMs,
      nowContextSec: this.context.currentTime,
      minLeadSec: this.minLeadSec,
    });
    if (start === null) return null;
    const endSec = audioEndSec(audio);
    const runwaySec = Math.min(MIN_PART_RUNWAY_SEC, audio.trackDurationSec - start.offsetSec);
    if (start.offsetSec < audio.startSec || start.offsetSec > endSec - runwaySec) return 'uncovered';
    const fade = crossfadeFrom !== null || start.offsetSec > 0;
    const voice = new SourceVoice(this.context, this.bus, { audio, whenSec: start.whenSec, offsetSec: start.offsetSec, rate: 1, fadeInSec: fade ? FADE_SEC : 0 });
    this.drift.restartAt(start.whenSec, this.clock.rateHint(this.context.currentTime));
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
