/**
 * The speaker's audio engine: plays the room's plan for this tab on its AudioContext so that each
 * track position is heard at its shared time, corrects drift, and reports its estimated error.
 * Dispatches 'change' when report() may differ.
 *
 * Drift correction: {@link DriftPolicy} asks for rates of a few ppm; sources always play at
 * playbackRate 1 (bit-exact: Chromium's linear interpolation at rate ≠ 1 warbles the treble, see
 * output-slip.ts) and the rate is realised by whole-sample slips, each a restart of the source
 * a sample or two ahead/behind with a 3 ms linear crossfade, taken every 10 ms (SLIP_TICK_MS).
 * Hard resyncs crossfade (equal-power, 10 ms).
 */
import { sameSchedule, type PlaybackPlan } from '../sync/speaker-plan.js';
import type { PlayoutReport } from '../sync/playout-report.js';
import { PlayoutOffset } from '../sync/playout-offset.js';
import { expectedPositionSec, playoutErrorMs } from '../sync/playout-schedule.js';
import type { Milliseconds, Seconds } from '../sync/units.js';
import { BrowserAudioOutput, type AudioOutput } from './audio-output.js';
import { ChannelPicker } from './channel-picker.js';
import { DriftLoop } from './drift-loop.js';
import { EngineScheduleClock, type EngineClock, type EngineTimeline } from './engine-clock.js';
import { engineReport } from './engine-report.js';
import { EngineTicks } from './engine-ticks.js';
import { EngineVoices } from './engine-voices.js';
import { playOneShot } from './probe-voice.js';
import { StartGuard } from './start-guard.js';
import { audioEndSec, reachesTrackEnd } from './track-audio.js';
import { TrackLoader } from './track-loader.js';

export type { EngineClock, EngineTimeline } from './engine-clock.js';
export type { PlaybackPlan } from '../sync/speaker-plan.js';

export interface SpeakerEngineOptions {
  timeline: EngineTimeline;
  clock: EngineClock;
  /** Encoded bytes of a track from the local library; undefined while not (yet) available. */
  loadBytes(trackId: string): Promise<Uint8Array | undefined>;
  trimMs?: Milliseconds;
  /** The output to play on (not disposed with the engine); without one the engine makes its own. */
  output?: AudioOutput;
}

/** Drift loop period, ms. */
const TICK_MS = 200;
/** The first tick of a new voice comes this long after it may be measured, ms (timers fire late, never early). */
const FIRST_MEASURE_SLACK_MS = 5;
/** Slips are taken this often, ms: one or two samples at a time (see SampleSlipper). */
const SLIP_TICK_MS = 10;
/** start() and rate changes are never scheduled closer than this to currentTime, s. */
const MIN_LEAD_SEC = 0.04;
/** Gain changes: setTargetAtTime time constant (≈ 20 ms to settle), s. */
const GAIN_TAU_SEC = 0.007;
/** Trim changes larger than this reschedule at once; smaller ones are absorbed by the drift loop, ms. */
const TRIM_RESCHEDULE_MS = 2;

export class SpeakerEngine extends EventTarget {
  private readonly output: AudioOutput;
  private readonly scheduleClock: EngineScheduleClock;
  private readonly ownsOutput: boolean;
  private readonly loader: TrackLoader;
  private readonly bus: GainNode;
  private readonly channels: ChannelPicker;
  private plan: PlaybackPlan | null = null;
  private readonly offset: PlayoutOffset;
  private readonly voices: EngineVoices;
  private ended = false;
  /** The plan's audio has been heard (a crossfade to a later-starting voice keeps it 'playing'). */
  private heard = false;
  private readonly drift = new DriftLoop(MIN_LEAD_SEC);
  private reschedules = 0;
  /** Crossfades from a part of the track to a longer part or the whole. */
  private partUpgrades = 0;
  /** Parts of the planned track offered (a late joiner's). */
  private partsOffered = 0;
  /** The output mapping's latency at the previous drift measurement, ms (NaN: none). */
  private measuredLatencyMs = Number.NaN;
  private readonly startGuard: StartGuard;
  private readonly ticks: EngineTicks;
  private disposed = false;

  constructor(options: SpeakerEngineOptions) {
    super();
    this.offset = new PlayoutOffset(options.trimMs ?? 0);
    this.ownsOutput = options.output === undefined;
    this.output = options.output ?? new BrowserAudioOutput();
    this.loader = new TrackLoader(this.output.context, (id) => options.loadBytes(id), () => {
      this.tryStart();
      this.moveToLongerAudio();
      this.changed();
    });
    this.bus = this.output.context.createGain();
    this.channels = new ChannelPicker(this.output.context, this.bus, this.output.input);
    this.scheduleClock = new EngineScheduleClock(this.output.timing, options.clock, options.timeline);
    this.startGuard = new StartGuard(this.output, this.scheduleClock);
    this.voices = new EngineVoices(this.output.context, this.bus, this.scheduleClock, this.drift, MIN_LEAD_SEC);
    this.output.addEventListener('statechange', this.onOutputChange);
    this.output.addEventListener('timing', this.onTiming);
    this.ticks = new EngineTicks({ driftMs: TICK_MS, slipMs: SLIP_TICK_MS }, () => this.tick(), () => this.voices.applySlips(this.output.context.currentTime));
  }

  /** Synchronous; call inside a user gesture. */
  unlock(): void {
    this.output.unlock();
  }

  /** Same timing ⇒ only the gain changes (smoothly); new timing or track ⇒ reschedule with a short fade. */
  setPlan(plan: PlaybackPlan | null): void {
    const previous = this.plan;
    this.plan = plan;
    if (plan !== null) this.bus.gain.setTargetAtTime(clampGain(plan.gain), this.output.context.currentTime, GAIN_TAU_SEC);
    this.channels.set(plan?.channel ?? 'both');
    if (previous !== null && plan !== null && sameSchedule(previous, plan)) return this.changed();
    this.voices.handOver(plan?.status === 'playing');
    this.ended = false;
    this.heard = false;
    this.drift.reset();
    this.reschedules = 0;
    this.partUpgrades = 0;
    this.loader.want(plan?.trackId ?? null);
    if (plan?.status === 'playing' && this.loader.audio === null) void this.loader.quickPart(plan.trackId, this.positionToStartSec(plan));
    this.tryStart();
    this.changed();
  }

  /** Track position this speaker can start `plan` from: its start, or where the room is now (NaN while the clock is unknown). */
  private positionToStartSec(plan: PlaybackPlan): Seconds {
    const nowSharedMs = this.scheduleClock.contextToSharedMs(this.output.context.currentTime);
    return Math.max(plan.startPositionSec, expectedPositionSec(nowSharedMs, plan));
  }

  /** Bytes for trackId just arrived: retry if the plan wants it. */
  trackAvailable(trackId: string): void {
    if (this.plan?.trackId === trackId) this.loader.available(trackId);
  }

  /**
   * A part of `trackId` that decodes on its own (a WAV slice of a track still arriving), from
   * track position `startSec` of a track `trackDurationSec` long: a late joiner plays it until a
   * longer part or the whole track is decoded, then crossfades to that (same samples, same times).
   */
  offerPart(trackId: string, bytes: Uint8Array, startSec: Seconds, trackDurationSec: Seconds): void {
    if (this.plan?.trackId !== trackId) return;
    this.partsOffered++;
    void this.loader.offerPart(trackId, bytes, startSec, trackDurationSec);
  }

  /** Decode ahead (e.g. the next track in the queue). */
  preload(trackIds: readonly string[]): void {
    this.loader.preload(trackIds);
  }

  /** Manual latency trim (positive = play later); big changes reschedule, small ones the drift loop absorbs. */
  setTrimMs(trimMs: Milliseconds): void {
    this.offsetMoved(this.offset.set(trimMs, this.offset.correctionMs));
  }

  /**
   * Acoustic calibration's correction for this device's output route (positive = play later),
   * applied like the trim on top of it: big changes reschedule at once, small ones are slipped in.
   */
  setCorrectionMs(correctionMs: Milliseconds): void {
    this.offsetMoved(this.offset.set(this.offset.trimMs, correctionMs));
  }

  private offsetMoved(deltaMs: Milliseconds | null): void {
    if (deltaMs === null) return;
    // To be heard δ later: the error drops by δ at once. A big move re-schedules onto the new target instead.
    if (Math.abs(deltaMs) >= TRIM_RESCHEDULE_MS) this.reschedule();
    else this.drift.errorMoved(-deltaMs);
    this.changed();
  }

  /** The calibration correction in force, ms. */
  get calibrationCorrectionMs(): Milliseconds {
    return this.offset.correctionMs;
  }

  /**
   * Plays a mono probe signal so that its first sample is heard at shared time `atSharedMs`,
   * through the same output compensation as the music (output latency, trim and correction) but
   * not through the zone's gain or mute. Returns the context time (s) of its first sample, or
   * null when the output is not running or ready, or the time is closer than the minimum lead.
   */
  playProbe(samples: Float32Array<ArrayBuffer>, sampleRateHz: number, atSharedMs: Milliseconds, gain: number): Seconds | null {
    const ctx = this.output.context;
    if (this.disposed || this.output.state !== 'running' || !this.output.timing.ready || samples.length === 0) return null;
    const whenSec = this.scheduleClock.sharedToContextSec(atSharedMs + this.offset.totalMs);
    if (!Number.isFinite(whenSec) || whenSec < ctx.currentTime + MIN_LEAD_SEC) return null;
    playOneShot(ctx, this.output.input, samples, sampleRateHz, whenSec, clampGain(gain));
    return whenSec;
  }

  report(): PlayoutReport {
    const voice = this.voices.voice;
    const heardCtx = this.output.timing.perfMsToContextSec(performance.now());
    if (voice !== null && this.loader.audio !== null && heardCtx >= voice.originSec) this.heard = true;
    return engineReport({
      plan: this.plan, trimMs: this.offset.trimMs, rateChanges: this.drift.rateChanges, reschedules: this.reschedules,
      outputState: this.output.state, outputError: this.output.error, load: this.loader.state, ended: this.ended,
      latencyMs: this.output.timing.heardLatencyMs, ratePpm: this.drift.ratePpm, last: this.drift.last, scheduled: voice !== null, audioReady: this.loader.audio !== null,
      heardPositionSec: voice !== null && this.heard ? Math.min(this.voices.positionAt(heardCtx), voice.endPositionSec) : null,
    });
  }

  /** Last ~60 s of error estimates. */
  errorHistory(): readonly { atSharedMs: Milliseconds; errorMs: Milliseconds }[] {
    return this.drift.errorHistory();
  }

  timingDiagnostics(): Record<string, unknown> {
    const underruns = this.output.underruns();
    return {
      ...this.output.timing.diagnostics(),
      outputState: this.output.state,
      frameTransport: this.output.frameTransport,
      sampleRateHz: this.output.context.sampleRate,
      underrunEvents: underruns?.events ?? null,
      underrunMs: underruns?.durationMs ?? null,
      partUpgrades: this.partUpgrades,
      partsOffered: this.partsOffered,
      audioSpanSec: this.loader.audio === null ? null : [this.loader.audio.startSec, audioEndSec(this.loader.audio)],
      decodedTrackIds: this.loader.decodedTrackIds,
      quickPart: this.loader.lastQuickPart,
      startWait: this.startGuard.steps,
      ...this.drift.diagnostics(),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ticks.dispose();
    this.voices.dispose();
    this.output.removeEventListener('statechange', this.onOutputChange);
    this.output.removeEventListener('timing', this.onTiming);
    this.channels.dispose();
    this.bus.disconnect();
    this.loader.dispose();
    if (this.ownsOutput) this.output.dispose();
  }

  private readonly onOutputChange = (): void => {
    this.tryStart();
    this.changed();
  };

  /**
   * The output timing took reports or a reading: a start that waits on it goes now, not at the next
   * tick (a late joiner's timing becomes sure between ticks: up to 200 ms more of silence).
   */
  private readonly onTiming = (): void => {
    if (this.voices.voice !== null || this.plan?.status !== 'playing') return;
    this.tryStart();
    if (this.voices.voice !== null) this.changed();
  };

  private changed(): void {
    if (!this.disposed) this.dispatchEvent(new Event('change'));
  }

  /**
   * Start the plan's track if everything is there and nothing plays, and the latest readings do not
   * contradict the output latency (bench:sync's speakers started 43–64 ms early on baselines from
   * busy pages that the readings at the press already disputed). A join also waits at its gate
   * (join-gate.ts: bench:sync's joiner started 68 ms off on a latency kept through 8 render
   * restarts before a fresh reading had to confirm it).
   */
  private tryStart(): void {
    const plan = this.plan;
    if (this.disposed || plan === null || plan.status !== 'playing' || this.voices.voice !== null || this.ended) return;
    const audio = this.loader.audio;
    const nowMs = performance.now();
    if (this.startGuard.hold(plan, audio !== null, nowMs) !== null || audio === null) return;
    const outcome = this.voices.start(plan, audio, this.offset.totalMs);
    if (outcome === 'over') this.ended = true;
    if (outcome === 'started') {
      this.startGuard.started(plan, nowMs);
      this.measureSoonAfterStart();
    }
  }

  /**
   * The drift loop's first measurement of a new voice comes as soon as it sounds (the tick is
   * re-phased to it), not up to a tick later: until then the engine reports no error, and a joiner
   * does not know it is in sync.
   */
  private measureSoonAfterStart(): void {
    const voice = this.voices.voice;
    if (voice === null) return;
    this.ticks.rephaseDrift(Math.max(0, (voice.originSec + MIN_LEAD_SEC - this.output.context.currentTime) * 1000) + FIRST_MEASURE_SLACK_MS);
  }

  /** Crossfade to a new voice at the right offset. */
  private reschedule(): void {
    const plan = this.plan;
    const audio = this.loader.audio;
    if (plan !== null && audio !== null && this.voices.reschedule(plan, audio, this.offset.totalMs)) this.reschedules++;
  }

  /** The voice plays a part of the track and a longer part (or the whole) is decoded: continue on it. */
  private moveToLongerAudio(): void {
    const voice = this.voices.voice;
    const audio = this.loader.audio;
    if (voice === null || audio === null || voice.audio === audio) return;
    if (this.voices.switchAudio(audio)) this.partUpgrades++;
  }

  private tick(): void {
    if (this.disposed) return;
    this.loader.retry(performance.now());
    this.tryStart();
    const voice = this.voices.voice;
    const plan = this.plan;
    if (voice === null || plan === null) return;
    const nowSec = this.output.context.currentTime;
    if (nowSec >= voice.endSec) {
      this.voices.finished();
      // A part of the track ran out before more of it came: a gap, not the end (tryStart resumes).
      this.ended = reachesTrackEnd(voice.audio);
      return this.changed();
    }
    if (nowSec >= voice.originSec + MIN_LEAD_SEC) this.measure(plan, nowSec);
    this.changed();
  }

  /** One drift-loop step: the error of the position rendered now; re-schedule when the loop asks. */
  private measure(plan: PlaybackPlan, nowSec: Seconds): void {
    const heardShared = this.scheduleClock.contextToSharedMs(nowSec);
    // A new latency in the mapping moves every heard time, and so the error, by its change.
    const latencyMs = this.output.timing.mappedLatencyMs;
    if (Number.isFinite(this.measuredLatencyMs) && Number.isFinite(latencyMs)) this.drift.errorMoved(latencyMs - this.measuredLatencyMs);
    this.measuredLatencyMs = latencyMs;
    const errorMs = playoutErrorMs(this.voices.positionAt(nowSec), heardShared, plan, this.offset.totalMs);
    if (!Number.isFinite(errorMs)) return;
    const uncertaintyMs = this.scheduleClock.uncertaintyMs();
    if (this.drift.step({ atSharedMs: heardShared, errorMs, uncertaintyMs }, this.scheduleClock.rateHint(nowSec))) this.reschedule();
  }
}

function clampGain(gain: number): number {
  return Number.isFinite(gain) ? Math.min(1, Math.max(0, gain)) : 0;
}
