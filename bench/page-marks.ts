/**
 * A joining page's own `tutti-*` performance marks (src/main.ts, src/shell/join-marks.ts): ms from
 * its navigation start, set by the page as each step happens, so free of the lag of a poll.
 */
import type { Page } from 'playwright-core';
import type { StartWaitStep } from '../src/sync/start-wait-log.js';

/**
 * The marks in join order (`sw`: the service worker registers, once the join settled; `demo`: the
 * demo track made, after the join when it plays the demo).
 */
export const JOIN_MARKS = ['main', 'output', 'stores', 'code', 'signaling', 'joined', 'ready', 'leader', 'clock', 'render', 'receiving', 'scheduled', 'playing', 'sw', 'demo'] as const;

/** The page's `tutti-*` marks by name, ms from its navigation start (empty when unavailable). */
export async function pageMarks(page: Page): Promise<Record<string, number>> {
  return page
    .evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('tutti-')).map((m) => [m.name, m.startTime])))
    .catch(() => ({}));
}

/** One mark as a table cell: whole ms, or '—' when the page never reached it. */
export function markCell(marks: Readonly<Record<string, number>>, name: (typeof JOIN_MARKS)[number]): string {
  return marks[`tutti-${name}`]?.toFixed(0) ?? '—';
}

/** What held a page's first voice back (its engine's startWait), from its diagnostics (empty when unavailable). */
export function startWaitOf(diagnostics: unknown): readonly StartWaitStep[] {
  return (diagnostics as { playback?: { timing?: { startWait?: StartWaitStep[] } } } | null)?.playback?.timing?.startWait ?? [];
}

/** The start wait as text: each blocker and the page ms from when it held, or '—'. */
export function startWaitText(steps: readonly StartWaitStep[]): string {
  return steps.map((w) => `${w.blocker} ${w.atMs.toFixed(0)}`).join(', ') || '—';
}
