/**
 * Whether the output timestamp readings are still settling: their implied latency moving steadily
 * up or down, as after an audio glitch. On bench:sync's PulseAudio output the readings rose
 * 35–57 ms within seconds of a glitch and decayed back over 12–20 s (time constant ~4 s) while the
 * real output stayed put; a latency taken or followed meanwhile played 32–52 ms early. A latency
 * is a level: readings that trend faster than `maxMsPerSec` (beyond one standard error of the
 * slope, so noise alone rarely counts) say nothing about it yet. (Beyond two, a leader page's
 * start-up readings decaying 4.5 ms/s but scattered ±5 ms passed for settled: it started on a
 * latency 15 ms high, and played 15 ms off for 10 s.) Implied latency may step at a
 * render restart (bench:sync's render lines moved ~5 ms later at the press while the output stayed
 * put), and a step among the latest readings would pass for a trend: the readings since the latest
 * restart are judged alone once they span enough, all the latest ones until then. The current
 * line's readings are judged as it maps them now, not as it did when they came: a young line moves
 * as it finds lower points or is dropped as built on a backlog, and bench:late-join's joiner, its
 * readings flat within 0.3 ms on the line it had, counted 7–11 ms/s of trend from readings implied
 * on the line it had dropped, and stayed silent for 1.5 s until they aged out of the 3 s span. Pure.
 */
import { slopePerSec, type TimedValue } from './slope-fit.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link ReadingTrend}. */
export interface ReadingTrendOptions {
  /** Readings of the latest this long are judged, ms… */
  readonly windowMs: Milliseconds;
  /** …once they span at least this long, ms… */
  readonly minSpanMs: Milliseconds;
  /** …and they trend when the slope exceeds this by one standard error, ms per s. */
  readonly maxMsPerSec: number;
}

/** A reading's implied latency on the current render line: perfMs − envelope(ctxMs), ms. */
export type ImpliedLatency = (ctxMs: Milliseconds, perfMs: Milliseconds) => Milliseconds;

/** One output timestamp reading: the context time (ms) heard at page time `perfMs`. */
export interface TrendReading {
  readonly ctxMs: Milliseconds;
  readonly perfMs: Milliseconds;
}

/** Minimum readings for a slope. */
const MIN_READINGS = 6;

interface TrendPoint extends TrendReading {
  readonly atMs: Milliseconds;
  /** The implied latency when it came (what an earlier line's readings are judged by), ms. */
  readonly impliedMs: Milliseconds;
  readonly line: number;
}

/** The latest implied latencies over time; see the module comment. */
export class ReadingTrend {
  private points: TrendPoint[] = [];
  /** Render lines seen (bumped at each restart). */
  private line = 0;

  constructor(
    private readonly options: ReadingTrendOptions,
    private readonly impliedOf: ImpliedLatency,
  ) {}

  /** A plausible reading, read at `atMs`. */
  add(atMs: Milliseconds, reading: TrendReading): void {
    this.points.push({ ...reading, atMs, impliedMs: this.impliedOf(reading.ctxMs, reading.perfMs), line: this.line });
    this.points = this.points.filter((p) => atMs - p.atMs <= this.options.windowMs);
  }

  /** The render line restarted: its readings are judged apart once they span enough. */
  restarted(): void {
    this.line++;
  }

  /** Slope of the latest readings, ms per s (null while too few or too short to judge). */
  get slopeMsPerSec(): number | null {
    const fit = this.fit();
    return fit === null ? null : fit.slope;
  }

  /** Whether the readings trend beyond `maxMsPerSec` (see the module comment). */
  get settling(): boolean {
    const fit = this.fit();
    return fit !== null && Math.abs(fit.slope) - fit.se > this.options.maxMsPerSec;
  }

  private fit(): { slope: number; se: number } | null {
    const all = this.points.map((p): TimedValue & { line: number } => ({ atMs: p.atMs, line: p.line, valueMs: p.line === this.line ? this.impliedOf(p.ctxMs, p.perfMs) : p.impliedMs }));
    const current = all.filter((p) => p.line === this.line);
    return this.judgeable(current) ? slopePerSec(current) : this.judgeable(all) ? slopePerSec(all) : null;
  }

  private judgeable(points: readonly TimedValue[]): boolean {
    const first = points[0];
    const last = points[points.length - 1];
    return first !== undefined && last !== undefined && points.length >= MIN_READINGS && last.atMs - first.atMs >= this.options.minSpanMs;
  }
}
