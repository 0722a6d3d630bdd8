/**
 * Processes of the audio sync benchmarks: Chromium speakers that play into their own PulseAudio
 * sink of a {@link PulseRoom}, and the real app server on a private build. Everything registers
 * with `process-guard.ts`, so errors and Ctrl-C clean up too.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROME_PATH, CHROMIUM_FLAGS } from '../test/chromium-flags.mjs';
import { startServer, type RunningServer } from '../test/e2e/harness.js';
import { descendants } from './cpu-usage.js';
import { guard } from './process-guard.js';
import { makeRealtime, type PulseRoom } from './pulse-room.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));

/** One Chromium process whose audio goes to sink `spk<index>`. */
export interface AudioSpeaker {
  readonly index: number;
  readonly browser: Browser;
  readonly page: Page;
  /** PID of the Chromium browser process. */
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/**
 * Launches a fresh Chromium process (playwright gives it a fresh temporary profile) with audio
 * unmuted and `PULSE_SERVER`/`PULSE_SINK` pointing at speaker `index` of `room` (and
 * `PULSE_LATENCY_MSEC=pulseLatencyMs` when given), plus `extraArgs`; opens a blank page.
 */
export async function launchAudioSpeaker(room: PulseRoom, index: number, pulseLatencyMs?: number, extraArgs: readonly string[] = []): Promise<AudioSpeaker> {
  const server = await chromium.launchServer({
    executablePath: CHROME_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
    ignoreDefaultArgs: ['--mute-audio'],
    env: { ...process.env, ...room.clientEnv(index, pulseLatencyMs) },
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const child = server.process();
  const killNow = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const close = async (): Promise<void> => {
    unguard();
    await server.close().catch(() => server.kill());
  };
  const unguard = guard(close, killNow);
  const browser = await chromium.connect(server.wsEndpoint());
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => console.error(`[speaker ${index} page error] ${error.message}`));
  return { index, browser, page, pid: child.pid, close };
}

/**
 * Makes the audio service process of speaker's Chromium real-time (see {@link makeRealtime}); it
 * starts lazily, so call this once the page's AudioContext runs. Resolves with the PIDs boosted.
 * (Chromium already runs its renderer audio threads SCHED_RR; the audio service's PulseAudio
 * thread is not, and starves first on a busy machine.)
 */
export async function makeAudioServiceRealtime(speaker: AudioSpeaker): Promise<number[]> {
  if (speaker.pid === undefined) return [];
  const services = descendants(speaker.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('audio.mojom.AudioService');
    } catch {
      return false;
    }
  });
  const boosted = await Promise.all(services.map(async (pid) => ((await makeRealtime(pid)) ? [pid] : [])));
  return boosted.flat();
}

/**
 * {@link makeAudioServiceRealtime} once the speaker's audio service runs (it starts with the
 * page's first AudioContext), polling every 200 ms for up to `timeoutMs`; returns the PIDs raised.
 */
export async function makeAudioServiceRealtimeWhenUp(speaker: AudioSpeaker, timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const boosted = await makeAudioServiceRealtime(speaker);
    if (boosted.length > 0 || Date.now() > deadline) return boosted;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The app on a private build (others may rebuild dist/ meanwhile). */
export interface RunningApp {
  readonly origin: string;
  dispose(): Promise<void>;
}

/** Builds the app into a temp dir with `vite build` and starts the production server on it. */
export async function startApp(): Promise<RunningApp> {
  const outDir = mkdtempSync(join(tmpdir(), 'tutti-bench-dist-'));
  const removeDir = (): void => rmSync(outDir, { recursive: true, force: true });
  const unguardDir = guard(async () => removeDir(), removeDir);
  let server: RunningServer | undefined;
  try {
    await execFileAsync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: root, maxBuffer: 1 << 24 });
    server = await startServer({ DIST_DIR: outDir });
  } catch (error) {
    unguardDir();
    removeDir();
    throw error;
  }
  const running = server;
  const dispose = async (): Promise<void> => {
    unguardServer();
    unguardDir();
    await running.close();
    removeDir();
  };
  const unguardServer = guard(dispose);
  return { origin: running.origin, dispose };
}
