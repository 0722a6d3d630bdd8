/**
 * Drains each speaker's record of its output timing's inputs (`&timingLog=1&debug=1`,
 * `window.tutti.debug.takeTimingLog()`, src/sync/output-timing-log.ts) every few seconds, so that
 * bench:sync's trace holds everything needed to replay each speaker's timing offline
 * (bench/timing-replay.ts) against the rendered truth of the same run.
 */
import type { Page } from 'playwright-core';
import type { TimingInputRow, TimingLogChunk } from '../src/sync/output-timing-log.js';

/** One speaker's whole record (null rate: its page never answered). */
export interface SpeakerTimingLog {
  sampleRateHz: number | null;
  rows: TimingInputRow[];
  droppedRows: number;
}

const take = (page: Page): Promise<TimingLogChunk | null> => page.evaluate(() => window.tutti?.debug?.takeTimingLog() ?? null).catch(() => null);

/** Drains `pages()` every `everyMs` until stopped; `stop()` drains once more and resolves with each page's record, by index. */
export function startTimingLogDrain(pages: () => readonly Page[], everyMs: number): { stop(): Promise<SpeakerTimingLog[]> } {
  const logs: SpeakerTimingLog[] = [];
  let running = true;
  const drain = async (): Promise<void> => {
    const chunks = await Promise.all(pages().map(take));
    for (const [k, chunk] of chunks.entries()) {
      const log = (logs[k] ??= { sampleRateHz: null, rows: [], droppedRows: 0 });
      if (chunk === null) continue;
      log.sampleRateHz = chunk.sampleRateHz;
      for (const row of chunk.rows) log.rows.push(row);
      log.droppedRows += chunk.droppedRows;
    }
  };
  const loop = (async () => {
    while (running) {
      await drain();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await drain();
      return logs;
    },
  };
}
