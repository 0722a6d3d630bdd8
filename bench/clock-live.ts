/**
 * Live clock benchmark: the real app and server, N separate Chromium processes with injected
 * clock offsets and skews. Each follower's estimate of the shared time is compared with the
 * truth, which is known exactly: the first leader's timeline is its own injected clock,
 * shared = (real − timeOrigin_L)·(1 + ppm_L·1e-6) + offset_L, with real = timeOrigin + perf.now()
 * read on the machine's one real clock.
 */
import { diagnostics, launchSpeaker, startServer, waitForDiagnostics, type Speaker } from '../test/e2e/harness.js';
import { percentile } from './stats.js';

export interface LiveClockOptions {
  speakers: number;
  durationMs: number;
  sampleIntervalMs: number;
  /** Injected clocks, leader first (default: spread over ±10 s and ±200 ppm). */
  clocks?: ReadonlyArray<{ offsetMs: number; ratePpm: number }>;
}

export interface LiveClockRow {
  speaker: string;
  injected: string;
  /** From opening the URL (navigation start) to `converged`, ms; includes loading and joining. */
  convergedAfterMs: number;
  samples: number;
  /** Signed median error (estimate − truth), ms: a bias shows here. */
  medianSignedMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** When the largest error was read, s after measuring began. */
  maxAtSec: number;
}

/** Injected clocks: the leader and followers spread over ±10 s and ±200 ppm (shared with bench:sync). */
export const CLOCKS = [
  { offsetMs: 0, ratePpm: 0 },
  { offsetMs: 9_876.5, ratePpm: 200 },
  { offsetMs: -10_000, ratePpm: -200 },
  { offsetMs: 3_333.3, ratePpm: 117 },
  { offsetMs: -4_444.4, ratePpm: -57 },
] as const;

export async function runLiveClockBenchmark(options: LiveClockOptions): Promise<LiveClockRow[]> {
  const server = await startServer();
  const room = `bench${Date.now().toString(36)}`;
  const speakers: Speaker[] = [];
  try {
    const table = options.clocks ?? CLOCKS;
    const clocks = Array.from({ length: options.speakers }, (_, i) => table[i % table.length]!);
    const url = (i: number): string =>
      `${server.origin}/?room=${room}&name=S${i}&clockOffsetMs=${clocks[i]!.offsetMs}&clockRatePpm=${clocks[i]!.ratePpm}`;
    speakers.push(await launchSpeaker(url(0)));
    await waitForDiagnostics(speakers[0]!.page, (d) => d.clock.role === 'authority', { what: 'first tab leads' });
    const leader = (await diagnostics(speakers[0]!.page))!;
    const truth = (realMs: number): number =>
      (realMs - leader.time.timeOriginMs) * (1 + leader.injected.clockRatePpm * 1e-6) + leader.injected.clockOffsetMs;

    for (let i = 1; i < options.speakers; i++) speakers.push(await launchSpeaker(url(i)));
    const followers = speakers.slice(1);
    // Time from the page's navigation start (its performance.now() origin) to a converged clock.
    const convergedAfterMs = await Promise.all(
      followers.map(async (s) => {
        let atMs = NaN;
        await waitForDiagnostics(s.page, (d) => ((atMs = d.time.perfNowMs), d.clock.converged), { what: 'converged', timeoutMs: 60_000 });
        return atMs;
      }),
    );

    const errors: number[][] = followers.map(() => []);
    const readAtSec: number[][] = followers.map(() => []);
    const begin = performance.now();
    const end = begin + options.durationMs;
    while (performance.now() < end) {
      await Promise.all(
        followers.map(async (s, i) => {
          const d = await diagnostics(s.page);
          if (d === null) return;
          errors[i]!.push(d.time.sharedNowMs - truth(d.time.timeOriginMs + d.time.perfNowMs));
          readAtSec[i]!.push((performance.now() - begin) / 1000);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, options.sampleIntervalMs));
    }
    return followers.map((_, i) => {
      const abs = errors[i]!.map(Math.abs).sort((a, b) => a - b);
      const signed = [...errors[i]!].sort((a, b) => a - b);
      const worst = errors[i]!.reduce((best, e, k) => (Math.abs(e) > Math.abs(errors[i]![best]!) ? k : best), 0);
      return {
        speaker: `S${i + 1}`,
        injected: `${clocks[i + 1]!.offsetMs} ms, ${clocks[i + 1]!.ratePpm} ppm`,
        convergedAfterMs: convergedAfterMs[i]!,
        samples: abs.length,
        medianSignedMs: percentile(signed, 0.5),
        p50Ms: percentile(abs, 0.5),
        p95Ms: percentile(abs, 0.95),
        p99Ms: percentile(abs, 0.99),
        maxMs: abs.at(-1) ?? NaN,
        maxAtSec: readAtSec[i]![worst] ?? NaN,
      };
    });
  } finally {
    await Promise.all(speakers.map((s) => s.close()));
    await server.close();
  }
}
