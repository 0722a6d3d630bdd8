/**
 * The tab's audio output: one AudioContext ('interactive'), a master bus, the worklet frame
 * counter and periodic getOutputTimestamp() readings feeding {@link OutputTiming}, and the
 * autoplay state. Dispatches 'statechange' when {@link AudioOutput.state} or readiness changes.
 */
import type { RenderFrameReport } from '../sync/output-render-clock.js';
import { OutputTiming } from '../sync/output-timing.js';
import { teeTimingInputs, TimingInputLog, type OutputTimingInputs, type TimingLogChunk } from '../sync/output-timing-log.js';
import type { Milliseconds } from '../sync/units.js';
import { FrameStamps, type FrameTransport } from './frame-stamps.js';
import { keepOutputAwake } from './keep-awake.js';
import { soundPath } from './sound-path.js';
import { FRAME_COUNTER_PROCESSOR, TAP_PROCESSOR, WORKLET_SOURCE } from './worklet-source.js';

/** 'starting' until the worklet is loaded; 'blocked' while the autoplay policy holds the context suspended. */
export type AudioOutputState = 'starting' | 'running' | 'blocked' | 'closed' | 'error';

/** One recorded render quantum of the master bus. */
export interface TapBlock {
  readonly frame: number;
  readonly samples: Float32Array;
}

/** A recorder on the master bus (tests, diagnostics). */
export interface OutputTap {
  readonly blocks: readonly TapBlock[];
  /** Resolves with the first frame (context frame) whose |sample| ≥ threshold at or after `fromFrame`. */
  waitForFrame(threshold: number, fromFrame?: number): Promise<number>;
  stop(): void;
}

/**
 * What the speaker engine needs from the output. Events: 'statechange' (state, or the timing's
 * readiness), 'timing' (after each update of the timing: frame reports or a reading).
 */
export interface AudioOutput extends EventTarget {
  readonly context: AudioContext;
  /** Master bus: connect sources here. */
  readonly input: AudioNode;
  readonly timing: OutputTiming;
  /** How the frame counter's reports reach the timing (null: no frame counter). */
  readonly frameTransport: FrameTransport | null;
  readonly state: AudioOutputState;
  /** Error text when state is 'error'. */
  readonly error: string | null;
  /** Synchronous: call inside a user gesture, before any await. */
  unlock(): void;
  createTap(): OutputTap;
  /** The browser's underrun counters (AudioContext.playbackStats), or null where unsupported. */
  underruns(): OutputUnderruns | null;
  dispose(): void;
}

/** Underruns since the context started: frames the browser output as silence because the render was late. */
export interface OutputUnderruns {
  readonly events: number;
  readonly durationMs: Milliseconds;
}

/** Options of {@link BrowserAudioOutput}. */
export interface BrowserAudioOutputOptions {
  /** getOutputTimestamp() period, ms. */
  readonly readingEveryMs: Milliseconds;
  /** When it posts, the frame counter posts every this many quanta (1: best envelope, ~345 messages/s). */
  readonly postEveryQuanta: number;
  /** How the frame counter hands its frames over ('shared' where the page is cross-origin isolated; see FrameStamps). */
  readonly frameTransport: FrameTransport;
  /** How output time is mapped (see OutputTimingOptions.mode). */
  readonly timingMode: 'cross-checked' | 'readings';
  /** Record every input of the timing for {@link BrowserAudioOutput.takeTimingLog} (diagnostics). */
  readonly logTimingInputs: boolean;
  /** Diagnostic: delay the sound by this much, ms, unseen by the timing (RoomParams.hiddenDelayMs; 0: none). */
  readonly hiddenDelayMs: Milliseconds;
}

/** The underrun counter is read at most this often (with the frame counter's messages), ms. */
const UNDERRUN_POLL_MS = 50;
/**
 * While the timing builds its first baseline, getOutputTimestamp() is also read this often (with
 * the frame counter's messages), ms: a late joiner busy joining restarted its render line every
 * 1–2 s, and at the usual period no line collected its 4 readings before the next restart.
 */
const BASELINE_READING_MS = 50;

const DEFAULTS: BrowserAudioOutputOptions = { readingEveryMs: 250, postEveryQuanta: 1, timingMode: 'cross-checked', frameTransport: 'shared', logTimingInputs: false, hiddenDelayMs: 0 };

/** The real output. */
export class BrowserAudioOutput extends EventTarget implements AudioOutput {
  readonly context: AudioContext;
  readonly input: GainNode;
  readonly timing: OutputTiming;
  private readonly options: BrowserAudioOutputOptions;
  private readonly moduleUrl: string;
  private readonly loaded: Promise<void>;
  private readonly stamps: FrameStamps;
  private readonly keepAwake: ConstantSourceNode;
  private readonly taps = new Set<AudioWorkletNode>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private workletState: 'loading' | 'loaded' | 'failed' = 'loading';
  private disposed = false;
  private underrunsReadMs = Number.NEGATIVE_INFINITY;
  private lastReadMs = Number.NEGATIVE_INFINITY;
  private readonly timingLog: TimingInputLog | null;
  /** Where the timing's inputs go: the timing, and its log when there is one. */
  private readonly timingInputs: OutputTimingInputs;
  error: string | null = null;

  constructor(options: Partial<BrowserAudioOutputOptions> = {}) {
    super();
    this.options = { ...DEFAULTS, ...options };
    this.context = new AudioContext({ latencyHint: 'interactive' });
    // The stamping worker starts while the context and its worklet do.
    this.stamps = new FrameStamps(this.onFrameReports, this.options.frameTransport);
    this.timing = new OutputTiming({ sampleRateHz: this.context.sampleRate, mode: this.options.timingMode });
    this.timingLog = this.options.logTimingInputs ? new TimingInputLog(this.context.sampleRate) : null;
    this.timingInputs = this.timingLog === null ? this.timing : teeTimingInputs(this.timing, this.timingLog);
    this.input = this.context.createGain();
    this.input.connect(soundPath(this.context, this.options.hiddenDelayMs));
    this.keepAwake = keepOutputAwake(this.context);
    this.moduleUrl = URL.createObjectURL(new Blob([WORKLET_SOURCE], { type: 'text/javascript' }));
    this.context.addEventListener('statechange', this.onStateChange);
    this.loaded = this.loadWorklet();
    this.timer = setInterval(() => {
      if (this.read()) this.dispatchEvent(new Event('timing'));
    }, this.options.readingEveryMs);
  }

  /** The timing's inputs since the last call (null unless `logTimingInputs`). */
  takeTimingLog(): TimingLogChunk | null {
    return this.timingLog?.take() ?? null;
  }

  get frameTransport(): FrameTransport | null {
    return this.workletState === 'failed' ? null : this.stamps.transport;
  }

  get state(): AudioOutputState {
    if (this.disposed || this.context.state === 'closed') return 'closed';
    if (this.error !== null) return 'error';
    // Safari's 'interrupted' (a call, Siri) needs a gesture to resume, like 'suspended'.
    if (isHeld(this.context.state)) return 'blocked';
    return this.workletState === 'loading' ? 'starting' : 'running';
  }

  /** Resolves once the frame counter runs (or failed: then timing falls back to the readings). */
  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  unlock(): void {
    if (this.disposed || !isHeld(this.context.state)) return;
    this.context.resume().catch((e: unknown) => {
      this.error = `Audio could not start: ${String(e)}`;
      this.dispatchEvent(new Event('statechange'));
    });
  }

  createTap(): OutputTap {
    const blocks: TapBlock[] = [];
    const waiters: { threshold: number; fromFrame: number; resolve: (frame: number) => void }[] = [];
    const node = new AudioWorkletNode(this.context, TAP_PROCESSOR, { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
    const find = (b: TapBlock, threshold: number, fromFrame: number): number => {
      for (let i = 0; i < b.samples.length; i++) {
        if (b.frame + i >= fromFrame && Math.abs(b.samples[i] ?? 0) >= threshold) return b.frame + i;
      }
      return -1;
    };
    node.port.onmessage = (e: MessageEvent<TapBlock>) => {
      blocks.push(e.data);
      for (const w of [...waiters]) {
        const frame = find(e.data, w.threshold, w.fromFrame);
        if (frame < 0) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    };
    this.input.connect(node);
    node.connect(this.context.destination);
    this.taps.add(node);
    return {
      blocks,
      waitForFrame: (threshold, fromFrame = 0) =>
        new Promise<number>((resolve) => {
          for (const b of blocks) {
            const frame = find(b, threshold, fromFrame);
            if (frame >= 0) return resolve(frame);
          }
          waiters.push({ threshold, fromFrame, resolve });
        }),
      stop: () => {
        node.port.onmessage = null;
        node.disconnect();
        this.taps.delete(node);
      },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.context.removeEventListener('statechange', this.onStateChange);
    this.stamps.dispose();
    for (const tap of this.taps) tap.port.onmessage = null;
    URL.revokeObjectURL(this.moduleUrl);
    this.keepAwake.disconnect();
    void this.context.close().catch(() => undefined);
  }

  private readonly onStateChange = (): void => {
    if (this.context.state === 'running') this.timingInputs.noteResumed(performance.now());
    this.dispatchEvent(new Event('statechange'));
  };

  /** The frame counter's reports, stamped on arrival (see FrameStamps). */
  private readonly onFrameReports = (reports: readonly RenderFrameReport[]): void => {
    for (const report of reports) this.timingInputs.addFrames(report);
    const nowMs = performance.now();
    if (this.timing.wantsReadings && nowMs - this.lastReadMs >= BASELINE_READING_MS) this.read();
    if (nowMs - this.underrunsReadMs >= UNDERRUN_POLL_MS) {
      this.underrunsReadMs = nowMs;
      const underruns = this.underruns();
      if (underruns !== null) this.timingInputs.addUnderrunCount(underruns.events, nowMs);
    }
    this.dispatchEvent(new Event('timing'));
  };

  private async loadWorklet(): Promise<void> {
    try {
      await this.context.audioWorklet.addModule(this.moduleUrl);
      if (this.disposed) return;
      const counter = this.createCounter();
      this.stamps.attach(counter.port);
      counter.connect(this.context.destination);
      this.workletState = 'loaded';
    } catch (e) {
      // Without the frame counter, OutputTiming falls back to the readings alone.
      this.workletState = 'failed';
      console.warn('Frame counter unavailable, output timing uses getOutputTimestamp() alone:', e);
    }
    this.dispatchEvent(new Event('statechange'));
  }

  /** The frame counter node: writing shared memory if it may, else (or if that fails) posting. */
  private createCounter(): AudioWorkletNode {
    const create = (): AudioWorkletNode =>
      new AudioWorkletNode(this.context, FRAME_COUNTER_PROCESSOR, {
        numberOfInputs: 0, numberOfOutputs: 1, processorOptions: this.stamps.counterOptions(this.options.postEveryQuanta),
      });
    if (this.stamps.transport === 'message') return create();
    try {
      return create();
    } catch (error) {
      console.warn('[tutti] frame counter: no shared memory in the worklet, posting instead', error);
      this.stamps.abandonShared();
      return create();
    }
  }

  underruns(): OutputUnderruns | null {
    const stats = (this.context as AudioContext & { playbackStats?: { underrunEvents: number; underrunDuration: number } }).playbackStats;
    if (stats === undefined || !Number.isFinite(stats.underrunEvents) || !Number.isFinite(stats.underrunDuration)) return null;
    return { events: stats.underrunEvents, durationMs: stats.underrunDuration * 1000 };
  }

  /**
   * Takes a getOutputTimestamp() reading; false when the context is not running. Dispatches
   * 'statechange' if the timing's readiness changed; 'timing' is the caller's (one per update).
   */
  private read(): boolean {
    if (this.context.state !== 'running') return false;
    this.lastReadMs = performance.now();
    const ts = this.context.getOutputTimestamp();
    const wasReady = this.timing.ready;
    this.timingInputs.addReading({
      contextTimeSec: ts.contextTime ?? 0,
      performanceTimeMs: ts.performanceTime ?? 0,
      readAtMs: performance.now(),
      outputLatencySec: this.context.outputLatency,
    });
    if (this.timing.ready !== wasReady) this.dispatchEvent(new Event('statechange'));
    return true;
  }
}

/** A context the browser holds (autoplay policy, background, or Safari's 'interrupted'). */
function isHeld(state: string): boolean {
  return state === 'suspended' || state === 'interrupted';
}
