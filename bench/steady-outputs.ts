/**
 * Waiting for the speakers' output timing to settle before a measurement: the room recorder's
 * capture lowers the room sink's latency, and every speaker's output timing restarts and re-learns
 * its latency over the next ~20 s (a transient of this rig, not of a room without a recorder).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { hostNowMs } from './room-recorder.js';

/**
 * The readings' trend on the render line beyond which a page is still settling, ms per s: after
 * the capture began, a speaker's latency grew ~0.15 ms/s for 30 s with no restart or latency
 * change, and it started 1.5 ms late.
 */
const MAX_TREND_MS_PER_SEC = 0.05;

/**
 * Waits until no page's render line restarted, no page's output latency changed and no page's
 * readings trended faster than MAX_TREND_MS_PER_SEC for `steadyMs` (at most `maxMs`, polling every
 * 500 ms); resolves with how long it waited, ms.
 */
export async function waitForSteadyOutputs(pages: readonly Page[], steadyMs: number, maxMs: number): Promise<number> {
  const startMs = hostNowMs();
  let last = '';
  let sinceMs = startMs;
  while (hostNowMs() - startMs < maxMs) {
    const states = await Promise.all(pages.map((p) => p.evaluate(() => {
      const t = (window.tutti.diagnostics() as { playback?: { timing?: Record<string, unknown> } | null }).playback?.timing;
      return { key: JSON.stringify([t?.renderRestarts, t?.latencyMs]), trendMsPerSec: t?.readingTrendMsPerSec };
    })));
    const key = states.map((state) => state.key).join('|');
    const trending = states.some((state) => typeof state.trendMsPerSec === 'number' && Math.abs(state.trendMsPerSec) > MAX_TREND_MS_PER_SEC);
    if (key !== last || trending) [last, sinceMs] = [key, hostNowMs()];
    else if (hostNowMs() - sinceMs >= steadyMs) break;
    await sleep(500);
  }
  return hostNowMs() - startMs;
}
