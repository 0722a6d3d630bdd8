/**
 * Records a PulseAudio source with `parec` (float32le, interleaved) and timestamps every stdout
 * chunk with the host clock (`performance.timeOrigin + performance.now()`, ms since the epoch, the
 * same clock the Chromium pages read), so recording frames map to host time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { guard } from './process-guard.js';

export interface RecorderOptions {
  /** `PULSE_SERVER` of the daemon. */
  readonly server: string;
  readonly device: string;
  readonly rateHz: number;
  readonly channels: number;
  /** Requested capture latency (parec --latency-msec): smaller = finer host timestamps. */
  readonly latencyMs: number;
}

/** Host time (ms since the epoch, sub-ms resolution) on the clock the browsers use. */
export const hostNowMs = (): number => performance.timeOrigin + performance.now();

/** A finished recording. */
export class Recording {
  /** Frames recorded (per channel). */
  readonly frameCount: number;

  constructor(
    readonly rateHz: number,
    readonly channels: number,
    /** Interleaved samples. */
    readonly interleaved: Float32Array,
    /**
     * Host ms of frame 0: the lower envelope of (chunk arrival − chunk end frame / rate). A frame
     * can only arrive after it was rendered, so the earliest-arriving chunk bounds the mapping;
     * what remains is the sink's render-ahead (≤ one block) and the pipe latency of that chunk.
     */
    readonly frame0HostMs: number,
  ) {
    this.frameCount = Math.floor(interleaved.length / channels);
  }

  /** Host ms (epoch) at which `frame` was rendered by the sink. */
  hostMsAt(frame: number): number {
    return this.frame0HostMs + (frame / this.rateHz) * 1000;
  }

  /** Recording frame rendered at host ms `hostMs` (fractional). */
  frameAt(hostMs: number): number {
    return ((hostMs - this.frame0HostMs) / 1000) * this.rateHz;
  }

  /** Mono mix (L+R)/2 of speaker k's channel pair (2k, 2k+1). */
  speakerMono(speaker: number): Float32Array {
    const { channels, frameCount, interleaved } = this;
    const out = new Float32Array(frameCount);
    for (let i = 0, j = 2 * speaker; i < frameCount; i++, j += channels) out[i] = 0.5 * (interleaved[j]! + interleaved[j + 1]!);
    return out;
  }
}

/** A running `parec`. */
export class RoomRecorder {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private frame0HostMs = Infinity;
  private readonly unguard: () => void;

  private constructor(
    private readonly options: RecorderOptions,
    private readonly child: ChildProcess,
  ) {
    const frameBytes = 4 * options.channels;
    child.stdout?.on('data', (chunk: Buffer) => {
      const arrivedMs = hostNowMs();
      this.chunks.push(chunk);
      this.bytes += chunk.length;
      const endFrame = this.bytes / frameBytes;
      this.frame0HostMs = Math.min(this.frame0HostMs, arrivedMs - (endFrame / options.rateHz) * 1000);
    });
    const killNow = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    this.unguard = guard(async () => {
      await this.stop();
    }, killNow);
  }

  /** Spawns parec and resolves once its first samples arrived. */
  static async start(options: RecorderOptions): Promise<RoomRecorder> {
    const map = Array.from({ length: options.channels }, (_, i) => `aux${i}`).join(',');
    const child = spawn(
      'parec',
      [
        `--device=${options.device}`, '--format=float32le', `--rate=${options.rateHz}`, `--channels=${options.channels}`,
        `--channel-map=${map}`, `--latency-msec=${options.latencyMs}`, '--raw',
      ],
      { env: { ...process.env, PULSE_SERVER: options.server }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const recorder = new RoomRecorder(options, child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`parec produced nothing in 10 s: ${errors}`)), 10_000);
      child.once('exit', (code) => reject(new Error(`parec exited (${code}): ${errors}`)));
      child.stdout?.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    }).catch(async (error: unknown) => {
      await recorder.stop();
      throw error;
    });
    return recorder;
  }

  /** Frames recorded so far. */
  get frames(): number {
    return Math.floor(this.bytes / (4 * this.options.channels));
  }

  /** Stops parec (by PID) and returns everything recorded. */
  async stop(): Promise<Recording> {
    this.unguard();
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    const { channels, rateHz } = this.options;
    const frameBytes = 4 * channels;
    const all = Buffer.concat(this.chunks, this.bytes);
    const usable = all.length - (all.length % frameBytes);
    const samples = new Float32Array(usable / 4);
    new Uint8Array(samples.buffer).set(all.subarray(0, usable));
    return new Recording(rateHz, channels, samples, this.frame0HostMs);
  }
}
