/**
 * `npm run bench:tti` (after `npm run build`): time to interactive of the production build, on a
 * cold cache (fresh browser context: empty HTTP cache, no service worker) and on a warm reload
 * (the service worker controls the page and serves the precached shell). Real server, Debian
 * Chromium via playwright-core, RUNS runs each; prints per-run figures and medians.
 *
 * Ready = the first moment (polled every 5 ms) `<tutti-app>` has its playback services and
 * `<tutti-music>` (library, player) is defined: the Play buttons work. The same test works on
 * older builds; main.ts also sets the `tutti-ready` performance mark at that point (after render).
 * Interactive = ready, or the end of a long task (> 50 ms main-thread block) that overlaps it,
 * whichever is later. Also printed: first contentful paint, and the machine's
 * load average (the figures are wall-clock times: a busy machine inflates them).
 */
import { loadavg } from 'node:os';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROME_PATH, CHROMIUM_FLAGS } from '../test/chromium-flags.mjs';
import { startServer } from '../test/e2e/harness.js';
import { guard } from './process-guard.js';

const RUNS = Number(process.env.RUNS ?? 5);
/** After the mark, long tasks are collected this long before the figure is read, ms. */
const SETTLE_MS = 1000;

/** Collects long tasks from the start of the page (a string: runs before the app). */
const LONG_TASKS_SCRIPT = `(() => {
  const poll = setInterval(() => {
    const app = document.querySelector('tutti-app');
    if (!app || !app.playback || !customElements.get('tutti-music')) return;
    clearInterval(poll);
    window.__readyMs = performance.now();
  }, 5);
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ startMs: e.startTime, endMs: e.startTime + e.duration });
  }).observe({ type: 'longtask', buffered: true });
})()`;

interface Run {
  readonly fcpMs: number;
  readonly readyMs: number;
  readonly interactiveMs: number;
  readonly fromServiceWorker: boolean;
}

async function measure(page: Page, load: () => Promise<unknown>): Promise<Run> {
  let fromServiceWorker = false;
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document') fromServiceWorker = response.fromServiceWorker();
  });
  await load();
  await page.waitForFunction(() => (window as unknown as { __readyMs?: number }).__readyMs !== undefined, undefined, { timeout: 60_000, polling: 20 });
  await page.waitForTimeout(SETTLE_MS);
  page.removeAllListeners('response');
  const figures = await page.evaluate(() => {
    const ready = (window as unknown as { __readyMs: number }).__readyMs;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
    const tasks = (window as unknown as { __longTasks: { startMs: number; endMs: number }[] }).__longTasks;
    const blocking = tasks.filter((t) => t.startMs <= ready && t.endMs >= ready).map((t) => t.endMs);
    return { readyMs: ready, fcpMs: fcp, interactiveMs: Math.max(ready, ...blocking) };
  });
  return { ...figures, fromServiceWorker };
}

async function coldRun(browser: Browser, origin: string, index: number): Promise<Run> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(LONG_TASKS_SCRIPT);
    return await measure(page, () => page.goto(`${origin}/?room=ttic${index}${Date.now().toString(36)}&name=T`));
  } finally {
    await context.close();
  }
}

async function warmRuns(browser: Browser, origin: string): Promise<Run[]> {
  const context: BrowserContext = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(LONG_TASKS_SCRIPT);
    await page.goto(`${origin}/?room=ttiw${Date.now().toString(36)}&name=W`);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(page, () => page.reload()));
    return runs;
  } finally {
    await context.close();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function report(label: string, runs: readonly Run[]): void {
  console.log(`${label}:`);
  for (const r of runs) {
    console.log(`  FCP ${r.fcpMs.toFixed(0).padStart(5)} ms  ready ${r.readyMs.toFixed(0).padStart(5)} ms  interactive ${r.interactiveMs.toFixed(0).padStart(5)} ms${r.fromServiceWorker ? '  (shell from service worker)' : ''}`);
  }
  console.log(`  median: FCP ${median(runs.map((r) => r.fcpMs)).toFixed(0)} ms, interactive ${median(runs.map((r) => r.interactiveMs)).toFixed(0)} ms`);
}

async function main(): Promise<void> {
  const server = await startServer();
  const unguardServer = guard(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROME_PATH, headless: true, args: [...CHROMIUM_FLAGS] });
  const unguardBrowser = guard(() => browser.close());
  try {
    console.log(`Time to interactive, ${RUNS} runs each (production build, ${server.origin}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}):`);
    const cold: Run[] = [];
    for (let i = 0; i < RUNS; i++) cold.push(await coldRun(browser, server.origin, i));
    report('Cold cache (fresh profile, no service worker)', cold);
    report('Warm reload (service worker controls the page)', await warmRuns(browser, server.origin));
  } finally {
    await browser.close();
    unguardBrowser();
    await server.close();
    unguardServer();
  }
}

await main();
