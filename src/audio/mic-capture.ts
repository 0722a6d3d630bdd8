/**
 * Raw microphone capture for acoustic calibration: getUserMedia with echo cancellation, noise
 * suppression and auto gain OFF (they would reshape or delay the probes), mono. Read from the
 * track itself where the browser can (track-mic-capture.ts, at the microphone's own rate); else
 * into its own AudioContext at the probe rate, where an AudioWorklet tap posts every render
 * quantum with its context frame, and each arrival reads getOutputTimestamp() (context time ⇄
 * performance time) as a timing mark. Frames are those of this context's clock; marks tie them to
 * the page clock.
 *
 * Memory: at most {@link MAX_KEPT_SEC} of blocks are kept (older ones are dropped).
 */
import type { CapturedBlock } from '../sync/calibration-recording.js';
import { MIN_CAPTURE_RATE_HZ } from '../sync/calibration-analysis.js';
import { PROBE_RATE_HZ } from '../sync/calibration-probe.js';
import type { Milliseconds } from '../sync/units.js';
import { TrackMicCapture, trackProcessorConstructor } from './track-mic-capture.js';
import { TAP_PROCESSOR, WORKLET_SOURCE } from './worklet-source.js';

/** Why the microphone is not available. */
export const MicErrorKind = { unavailable: 'unavailable', denied: 'denied', failed: 'failed' } as const;
export type MicErrorKind = (typeof MicErrorKind)[keyof typeof MicErrorKind];

/** A microphone problem, with a message for the user. */
export class MicError extends Error {
  constructor(
    readonly kind: MicErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** A context frame and the performance time at which it was output. */
export interface PerfMark {
  readonly frame: number;
  readonly perfMs: Milliseconds;
}

/** A running capture. */
export interface MicCapture {
  readonly rateHz: number;
  /** Blocks captured so far (oldest first). */
  blocks(): readonly CapturedBlock[];
  /** Timing marks so far (oldest first). */
  marks(): readonly PerfMark[];
  dispose(): void;
}

/** Opens the microphone; rejects with {@link MicError}. */
export type OpenMicrophone = () => Promise<MicCapture>;

const MAX_KEPT_SEC = 30;

function micError(error: unknown): MicError {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return new MicError(MicErrorKind.denied, 'Microphone permission was denied — allow the microphone for this page to calibrate.');
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError')
    return new MicError(MicErrorKind.unavailable, 'No usable microphone on this device — calibrate from a device with a microphone.');
  return new MicError(MicErrorKind.failed, `The microphone could not be started: ${error instanceof Error ? error.message : String(error)}`);
}

/** The browser's microphone (see the module comment). */
export const openBrowserMicrophone: OpenMicrophone = async () => {
  if (typeof navigator.mediaDevices?.getUserMedia !== 'function') throw new MicError(MicErrorKind.unavailable, 'This browser gives no access to a microphone (it needs a secure https page).');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1, sampleRate: { ideal: PROBE_RATE_HZ } } });
  } catch (error) {
    throw micError(error);
  }
  const Processor = trackProcessorConstructor();
  const [track] = stream.getAudioTracks();
  const trackRateHz = track?.getSettings().sampleRate;
  if (Processor !== null && track !== undefined && typeof trackRateHz === 'number' && trackRateHz >= MIN_CAPTURE_RATE_HZ) {
    try {
      return new TrackMicCapture(Processor, track, trackRateHz, MAX_KEPT_SEC);
    } catch (error) {
      console.warn('[tutti] microphone: no track processor, recording through Web Audio', error);
    }
  }
  const context = new AudioContext({ sampleRate: PROBE_RATE_HZ, latencyHint: 'interactive' });
  const moduleUrl = URL.createObjectURL(new Blob([WORKLET_SOURCE], { type: 'text/javascript' }));
  const release = (): void => {
    for (const track of stream.getTracks()) track.stop();
    void context.close().catch(() => undefined);
    URL.revokeObjectURL(moduleUrl);
  };
  try {
    await context.audioWorklet.addModule(moduleUrl);
    await context.resume();
    return new BrowserMicCapture(context, stream, release);
  } catch (error) {
    release();
    throw micError(error);
  }
};

class BrowserMicCapture implements MicCapture {
  readonly rateHz: number;
  private readonly kept: CapturedBlock[] = [];
  private readonly timing: PerfMark[] = [];
  private readonly tap: AudioWorkletNode;
  private readonly source: MediaStreamAudioSourceNode;
  private readonly sink: GainNode;
  private lastContextTime = -1;
  private disposed = false;

  constructor(
    private readonly context: AudioContext,
    stream: MediaStream,
    private readonly release: () => void,
  ) {
    this.rateHz = context.sampleRate;
    this.source = context.createMediaStreamSource(stream);
    this.tap = new AudioWorkletNode(context, TAP_PROCESSOR, { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
    // The graph is pulled from the destination: a silent path keeps the tap running.
    this.sink = context.createGain();
    this.sink.gain.value = 0;
    this.source.connect(this.tap).connect(this.sink).connect(context.destination);
    this.tap.port.onmessage = (event: MessageEvent<{ frame: number; samples: Float32Array }>) => this.onBlock(event.data);
  }

  blocks(): readonly CapturedBlock[] {
    return this.kept;
  }

  marks(): readonly PerfMark[] {
    return this.timing;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tap.port.onmessage = null;
    this.source.disconnect();
    this.tap.disconnect();
    this.sink.disconnect();
    this.release();
  }

  private onBlock(block: { frame: number; samples: Float32Array }): void {
    if (this.disposed) return;
    this.kept.push(block);
    const maxBlocks = Math.ceil((MAX_KEPT_SEC * this.rateHz) / 128);
    if (this.kept.length > maxBlocks) this.kept.splice(0, this.kept.length - maxBlocks);
    const stamp = this.context.getOutputTimestamp();
    const contextTime = stamp.contextTime ?? 0;
    const perfMs = stamp.performanceTime ?? 0;
    if (contextTime > 0 && perfMs > 0 && contextTime !== this.lastContextTime) {
      this.lastContextTime = contextTime;
      this.timing.push({ frame: contextTime * this.rateHz, perfMs });
      if (this.timing.length > 20 * MAX_KEPT_SEC * 10) this.timing.splice(0, this.timing.length / 2);
    }
  }
}
