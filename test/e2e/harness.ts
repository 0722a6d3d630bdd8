/**
 * End-to-end harness: the real production server (built app + PeerServer) on a free port, and
 * speakers as separate Debian Chromium processes driven by playwright-core.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CHROME_PATH, CHROMIUM_FLAGS } from '../chromium-flags.mjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Diagnostics } from '../../src/shell/diagnostics.js';

export { CHROME_PATH };

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningServer {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Start the real `npm start` server (server/main.ts; the build must exist) as a child process on
 * 127.0.0.1 and a free port, reading its printed URL. close() ends that process by its PID.
 * `env` adds environment variables (e.g. `DIST_DIR` to serve a copy of the build).
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /This computer:\s+(http:\/\/[^/\s]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace('localhost', '127.0.0.1'));
      }
    });
  });
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Speaker {
  readonly browser: Browser;
  readonly page: Page;
  /** Kill the whole Chromium process (no goodbye, like a crash or pulled plug). */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/** Launch one Chromium process (playwright gives each a fresh temporary profile) and open `url`. */
export async function launchSpeaker(url: string): Promise<Speaker> {
  const speaker = await launchBlankSpeaker();
  await speaker.page.goto(url);
  return speaker;
}

/**
 * Launch one Chromium process with a blank page (a device whose browser is already running), so a
 * caller can time opening a URL apart from starting the browser.
 */
export async function launchBlankSpeaker(): Promise<Speaker> {
  const server = await chromium.launchServer({
    executablePath: CHROME_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS],
  });
  const browser = await chromium.connect(server.wsEndpoint());
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${page.url()}: ${error.message}`));
  return {
    browser,
    page,
    kill: async () => {
      await server.kill();
    },
    close: async () => {
      await server.close().catch(() => undefined);
    },
  };
}

/** The page's `window.tutti.diagnostics()`, or null before the room started. */
export function diagnostics(page: Page): Promise<Diagnostics | null> {
  return page.evaluate(() => window.tutti?.diagnostics() ?? null);
}

/**
 * Poll `check` on the page's diagnostics until it returns true; resolves with the elapsed ms.
 * Timeouts are generous: they catch hangs, not slowness.
 */
export async function waitForDiagnostics(
  page: Page,
  check: (d: Diagnostics) => boolean,
  { timeoutMs = 30_000, intervalMs = 25, what = 'condition' } = {},
): Promise<number> {
  const start = performance.now();
  for (;;) {
    const d = await diagnostics(page).catch(() => null);
    if (d !== null && check(d)) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(d)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Names in the accessible list "Speakers" (piercing shadow DOM). */
export async function listedNames(page: Page): Promise<string[]> {
  const items = page.getByRole('list', { name: 'Speakers' }).getByRole('listitem');
  return items.evaluateAll((els) => els.map((el) => el.querySelector('.name')?.textContent?.trim() ?? ''));
}

/** Poll `probe` until it returns true; resolves with the elapsed ms. Generous timeout: catches hangs, not slowness. */
export async function waitUntil(probe: () => Promise<boolean>, { timeoutMs = 30_000, intervalMs = 25, what = 'condition' } = {}): Promise<number> {
  const start = performance.now();
  while (!(await probe().catch(() => false))) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return performance.now() - start;
}

/** Median of a non-empty list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
