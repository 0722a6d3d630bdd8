/**
 * Records a PulseAudio source with `parec` (float32le, interleaved) and timestamps every stdout
 * chunk with the host clock (`performance.timeOrigin + performance.now()`, ms since the epoch, the
 * same clock the Chromium pages read), so recording frames map to host time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { solveLeastSquares } from '../src/sync/least-squares.js';
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
     * Host ms of frame 0: the lower envelope of (chunk arrival − chunk end frame's host time). A
     * frame can only arrive after it was rendered, so the earliest-arriving chunk bounds the
     * mapping; what remains is the sink's render-ahead (≤ one block) and the pipe latency of that chunk.
     */
    readonly frame0HostMs: number,
    /**
     * How much faster the sink's clock ran than the host clock, ppm (a busy PulseAudio null sink
     * was measured 120–700 ppm fast): frames are mapped to host time at this rate.
     */
    readonly sinkRatePpm: number,
  ) {
    this.frameCount = Math.floor(interleaved.length / channels);
  }

  /** Host ms (epoch) at which `frame` was rendered by the sink. */
  hostMsAt(frame: number): number {
    return this.frame0HostMs + ((frame / this.rateHz) * 1000) / (1 + this.sinkRatePpm * 1e-6);
  }

  /** Recording frame rendered at host ms `hostMs` (fractional). */
  frameAt(hostMs: number): number {
    return ((hostMs - this.frame0HostMs) / 1000) * this.rateHz * (1 + this.sinkRatePpm * 1e-6);
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
  /** (arrival host ms, end frame) of every chunk: the host mapping's lower envelope. */
  private readonly arrivals: { hostMs: number; endFrame: number }[] = [];
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
      this.arrivals.push({ hostMs: arrivedMs, endFrame });
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
    const ratePpm = this.sinkRatePpm();
    const sinkRate = Number.isFinite(ratePpm) ? ratePpm : 0;
    // A loop, not Math.min(...): an hour's recording has more chunks than a call takes arguments.
    let frame0HostMs = Infinity;
    for (const a of this.arrivals) frame0HostMs = Math.min(frame0HostMs, a.hostMs - ((a.endFrame / rateHz) * 1000) / (1 + sinkRate * 1e-6));
    return new Recording(rateHz, channels, samples, frame0HostMs, sinkRate);
  }

  /**
   * How much faster the sink's clock ran than the host clock, ppm: the slope of the lower envelope
   * (per 2 s bucket minimum) of (arrival − end frame / rate), by least squares. NaN if too short.
   */
  private sinkRatePpm(): number {
    const rate = this.options.rateHz;
    const minima = new Map<number, { t: number; y: number }>();
    for (const a of this.arrivals) {
      const t = (a.endFrame / rate) * 1000;
      const y = a.hostMs - t;
      const key = Math.floor(t / 2000);
      const m = minima.get(key);
      if (m === undefined || y < m.y) minima.set(key, { t, y });
    }
    const points = [...minima.values()];
    if (points.length < 3) return Number.NaN;
    const meanT = points.reduce((sum, p) => sum + p.t, 0) / points.length;
    const fit = solveLeastSquares(2, points.map((p) => ({ x: [1, p.t - meanT], y: p.y, weight: 1 })));
    const slope = fit?.coef[1];
    return slope === undefined ? Number.NaN : (1 / (1 + slope) - 1) * 1e6;
  }
}
