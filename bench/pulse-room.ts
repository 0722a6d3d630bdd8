/**
 * A private PulseAudio daemon for audio benchmarks: one null sink "room" with 2·N channels
 * (aux0 … aux(2N−1)) and, per speaker k, a remap sink `spk<k>` whose stereo lands on
 * aux(2k), aux(2k+1) of "room". Every speaker's output therefore ends up in ONE sink, rendered on
 * one clock, and one recording of `room.monitor` holds all speakers sample-aligned.
 *
 * The daemon runs as a child process (we are root: it warns, but works without `--system`) with
 * its runtime/state/home in a fresh temp dir and an anonymous unix socket there. dispose() kills
 * exactly that PID and removes the temp dir.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { guard } from './process-guard.js';
import { RoomRecorder } from './room-recorder.js';

const execFileAsync = promisify(execFile);

/**
 * Puts every thread of process `pid` (one we started) under SCHED_RR priority 9 (`chrt -a -r -p`),
 * so a busy shared machine does not starve the audio path being measured (desktop sound servers
 * run real-time too). Warns and continues when not permitted.
 */
export async function makeRealtime(pid: number): Promise<boolean> {
  try {
    await execFileAsync('chrt', ['-a', '-r', '-p', '9', String(pid)]);
    return true;
  } catch (error) {
    console.warn(`could not make PID ${pid} real-time: ${(error as Error).message}`);
    return false;
  }
}

export interface PulseRoomOptions {
  /** Speakers (sinks spk0 … spk(N−1)), 1 … 32. */
  readonly speakers: number;
  /** Sample rate of the room sink and its recording, Hz (default 48000). */
  readonly rateHz?: number;
  /** Also add a source "mic" remapping room.monitor, set as the default source (for a loopback microphone). */
  readonly microphone?: boolean;
}

/** The running daemon. */
export class PulseRoom {
  /** `PULSE_SERVER` value for clients (pactl, parec, Chromium). */
  readonly server: string;
  readonly rateHz: number;
  readonly channels: number;

  private readonly unguard: () => void;

  private constructor(
    readonly speakers: number,
    rateHz: number,
    private readonly dir: string,
    private readonly daemon: ChildProcess,
  ) {
    this.server = `unix:${join(dir, 'native')}`;
    this.rateHz = rateHz;
    this.channels = 2 * speakers;
    const killNow = (): void => {
      if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    this.unguard = guard(() => this.dispose(), killNow);
  }

  /** Starts the daemon and waits until it answers `pactl info` with all sinks loaded. */
  static async start(options: PulseRoomOptions): Promise<PulseRoom> {
    const { speakers, rateHz = 48000, microphone = false } = options;
    if (!Number.isInteger(speakers) || speakers < 1 || speakers > 32) throw new RangeError(`speakers must be 1..32, got ${speakers}`);
    const dir = mkdtempSync(join(tmpdir(), 'tutti-pulse-'));
    const socket = join(dir, 'native');
    const channelMap = Array.from({ length: 2 * speakers }, (_, i) => `aux${i}`).join(',');
    const lines = [
      `load-module module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      `load-module module-null-sink sink_name=room format=float32le rate=${rateHz} channels=${2 * speakers} channel_map=${channelMap}`,
      ...Array.from(
        { length: speakers },
        (_, k) =>
          `load-module module-remap-sink sink_name=spk${k} master=room channels=2 master_channel_map=aux${2 * k},aux${2 * k + 1} ` +
          `channel_map=front-left,front-right remix=no`,
      ),
      ...(microphone ? ['load-module module-remap-source source_name=mic master=room.monitor', 'set-default-source mic'] : []),
    ];
    const script = join(dir, 'room.pa');
    writeFileSync(script, `${lines.join('\n')}\n`);
    const env = { ...process.env, HOME: dir, PULSE_RUNTIME_PATH: join(dir, 'run'), PULSE_STATE_PATH: join(dir, 'state'), XDG_RUNTIME_DIR: dir };
    const daemon = spawn(
      'pulseaudio',
      ['--daemonize=no', '--system=no', '--realtime=yes', '--high-priority=yes', '--exit-idle-time=-1', '--disallow-exit', '--use-pid-file=no', '--log-target=stderr', '-n', '-F', script],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    daemon.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    const room = new PulseRoom(speakers, rateHz, dir, daemon);
    try {
      await room.waitReady(speakers);
      if (daemon.pid !== undefined) await makeRealtime(daemon.pid);
    } catch (error) {
      await room.dispose();
      throw new Error(`PulseAudio did not start: ${(error as Error).message}\n${log}`);
    }
    return room;
  }

  /**
   * Environment for a client that should play into speaker k's sink. `latencyMs` sets
   * `PULSE_LATENCY_MSEC` (libpulse then requests that much server-side buffering instead of the
   * client's own request: robustness against CPU starvation on a shared machine, like a desktop
   * sound server's default).
   */
  clientEnv(speaker: number, latencyMs?: number): Record<string, string> {
    return { PULSE_SERVER: this.server, PULSE_SINK: `spk${speaker}`, ...(latencyMs === undefined ? {} : { PULSE_LATENCY_MSEC: String(latencyMs) }) };
  }

  /** Runs `pactl <args>` against this daemon; resolves with its stdout. */
  async pactl(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync('pactl', args, { env: { ...process.env, PULSE_SERVER: this.server } });
    return stdout;
  }

  /** Sink names that currently have a playing stream (sink input), one entry per stream. */
  async activeSinks(): Promise<string[]> {
    const sinks = new Map<string, string>();
    for (const line of (await this.pactl('list', 'short', 'sinks')).split('\n')) {
      const [index, name] = line.split('\t');
      if (index !== undefined && name !== undefined) sinks.set(index, name);
    }
    const inputs = (await this.pactl('list', 'short', 'sink-inputs')).split('\n').filter((line) => line.trim() !== '');
    return inputs.map((line) => sinks.get(line.split('\t')[1] ?? '') ?? '?').filter((name) => name.startsWith('spk'));
  }

  /** Starts recording all channels of `room.monitor` (call `stop()` on the result). */
  record(latencyMs = 5): Promise<RoomRecorder> {
    return RoomRecorder.start({ server: this.server, device: 'room.monitor', rateHz: this.rateHz, channels: this.channels, latencyMs });
  }

  /** Kills the daemon (by its PID) and removes its temp dir. Idempotent. */
  async dispose(): Promise<void> {
    this.unguard();
    if (this.daemon.exitCode === null && this.daemon.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.daemon.kill('SIGKILL'), 3000);
        this.daemon.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        this.daemon.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitReady(speakers: number): Promise<void> {
    const deadline = performance.now() + 15_000;
    let last = '';
    for (;;) {
      if (this.daemon.exitCode !== null) throw new Error(`daemon exited with ${this.daemon.exitCode}`);
      try {
        const sinks = await this.pactl('list', 'short', 'sinks');
        if (sinks.includes(`spk${speakers - 1}\t`)) return;
        last = sinks;
      } catch (error) {
        last = (error as Error).message;
      }
      if (performance.now() > deadline) throw new Error(`not ready after 15 s: ${last}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
