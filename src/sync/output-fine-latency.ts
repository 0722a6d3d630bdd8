/**
 * The fine part of the output latency: how far the readings that agree with the latency in use
 * lie from it, followed slowly. The latency rules ({@link LatencyJudge}) hold a level, taken from
 * the first readings and moved only by steps, while the render line under it is refitted over a
 * sliding minute and the output itself wanders by a few tenths of a millisecond. The readings see
 * that wander: in three of bench:sync's 10-minute traces, the median over 10 s of each speaker's
 * agreeing readings (against the current line) minus its latency explained most of the pair error
 * the speakers could not see. Applied offline to the newest trace, pair p95 0.33 / 0.23 / 0.34 ms →
 * 0.16 / 0.17 / 0.18 ms, and the pairs' constant offsets 0.13 / 0.02 / 0.15 → 0.03 / 0.01 / 0.04 ms;
 * a 4 s median did worse, a 40 s one lagged.
 *
 * Its bounds, and the bench:sync evidence behind each, are documented with its tuning
 * ({@link FineLatencyOptions}, output-fine-latency-options.ts). Pure: inputs carry their own timestamps.
 */
import { median } from './median.js';
import { slopePerSec } from './slope-fit.js';
import type { Milliseconds } from './units.js';
import { DEFAULT_FINE_LATENCY_OPTIONS, type FineLatencyOptions } from './output-fine-latency-options.js';
import { HeardLatencies } from './output-heard-latencies.js';
import { QuickFollowing } from './output-quick-following.js';

/** A reading the judge ruled on: its context time, when it is heard and when it was read, ms. */
export interface FineReading {
  readonly ctxMs: Milliseconds;
  readonly perfMs: Milliseconds;
  readonly readAtMs: Milliseconds;
}

/** Implied latency of a reading against the current render line, ms. */
export type ImpliedOf = (ctxMs: Milliseconds, perfMs: Milliseconds) => Milliseconds;

/** Where the offset should go and the readings' level (the median gap), ms; whether it goes back up toward a latency heard lately. */
interface Aim {
  readonly targetMs: Milliseconds;
  readonly levelMs: Milliseconds;
  readonly returning?: boolean;
}

/** A reading's gap to the latency in use, and when it was read, ms. */
interface Gap {
  readonly atMs: Milliseconds;
  readonly valueMs: Milliseconds;
}

/** Whether a reading and the latency it is judged against are finite. */
function usable(reading: FineReading, latencyMs: Milliseconds): boolean {
  return [reading.ctxMs, reading.perfMs, reading.readAtMs, latencyMs].every(Number.isFinite);
}

/** See the module comment. */
export class FineLatency {
  private points: FineReading[] = [];
  private offset: Milliseconds = 0;
  private lastAtMs = Number.NaN;
  /** Since when (ms) the offset has stood at least `absorbMinMs` from 0 at its aim, and the readings' level then (ms); null: not. */
  private pinned: { readonly sinceMs: Milliseconds; readonly levelMs: Milliseconds } | null = null;
  /** The latency heard after each reading whose level lay within `heardWithinMs` of the offset. */
  private readonly heard: HeardLatencies;
  /** Until when (ms) the offset is held after too many readings lay outside the band. */
  private holdUntilMs = Number.NEGATIVE_INFINITY;
  private readonly quick: QuickFollowing;

  constructor(private readonly o: FineLatencyOptions = DEFAULT_FINE_LATENCY_OPTIONS) {
    this.heard = new HeardLatencies(o);
    this.quick = new QuickFollowing(o);
  }

  /** Offset to add to the latency in use, ms. */
  get offsetMs(): Milliseconds {
    return this.offset;
  }

  /**
   * A reading ruled on, the latency in use (ms) and how to judge readings against the current
   * render line. Moves the offset toward its target.
   */
  add(reading: FineReading, latencyMs: Milliseconds, impliedOf: ImpliedOf): void {
    if (!usable(reading, latencyMs)) return;
    const atMs = reading.readAtMs;
    this.points.push(reading);
    this.points = this.points.filter((p) => atMs - p.readAtMs <= this.o.windowMs);
    this.heard.prune(atMs);
    this.quick.advance(atMs, this.offset);
    const quickSinceMs = this.quick.sinceMs;
    const quickAim = quickSinceMs === null ? null : this.quickTarget(quickSinceMs, atMs, latencyMs, impliedOf);
    if (quickAim !== null) this.quick.engageIf(quickAim.levelMs, this.offset);
    const elapsedSec = Number.isFinite(this.lastAtMs) ? Math.max(0, atMs - this.lastAtMs) / 1000 : 0;
    this.lastAtMs = atMs;
    let confirmed = false;
    if (!this.quick.engaged) {
      const aim = this.target(atMs, latencyMs, impliedOf);
      if (aim !== null) {
        confirmed = Math.abs(aim.levelMs - this.offset) <= this.o.heardWithinMs;
        this.slewTo(aim.targetMs, (aim.returning === true ? this.o.returnSlewMsPerSec : this.o.slewMsPerSec) * elapsedSec);
        this.notePinned(aim, atMs);
      }
    } else {
      if (quickAim !== null) this.slewTo(quickAim.targetMs, this.o.quickSlewMsPerSec * elapsedSec);
      this.pinned = null;
    }
    if (confirmed) this.heard.add(atMs, latencyMs + this.offset);
  }

  /** The output may have moved (an underrun, a render restart): follow the readings quickly from the next one on. */
  disturbed(): void {
    this.quick.disturbed();
  }

  /**
   * A reading while the readings still settle (they trend fast): not followed. One beyond the
   * quick band abandons a quick following, since a glitch's readings settling back come through
   * the band (readings 40 ms up, decaying over 12 s, were followed on their way down); so does one
   * `quickSettleGraceMs` after it began: a new jump is a new event (bench:sync: 17 s after an
   * underrun, readings dipped 2.8 ms for ~2 s with the output put; followed, the speaker played
   * 1.5 ms late for ~15 s).
   */
  unsettled(reading: FineReading, latencyMs: Milliseconds, impliedOf: ImpliedOf): void {
    if (!this.quick.active || !usable(reading, latencyMs)) return;
    const heardMs = latencyMs + this.quick.bandCentreMs(this.offset);
    if (Math.abs(impliedOf(reading.ctxMs, reading.perfMs) - heardMs) > this.o.quickBandMs) this.holdUntilMs = reading.readAtMs + this.o.outsideHoldMs;
    else if (this.quick.withinGrace(reading.readAtMs)) return;
    this.abandonQuick();
  }

  /**
   * Ends a quick following that the readings disown, with the offset back where it was before it:
   * one half-followed left a speaker 1.0–1.5 ms early for 25 s in bench:sync, while its output came back.
   */
  private abandonQuick(): void {
    const backMs = this.quick.abandon();
    if (backMs !== null) this.offset = backMs;
  }

  /** Moves the offset toward `targetMs` by at most `maxStepMs`. */
  private slewTo(targetMs: Milliseconds, maxStepMs: Milliseconds): void {
    this.offset += Math.max(-maxStepMs, Math.min(maxStepMs, targetMs - this.offset));
  }

  /** Notes whether the offset stands held far from 0 at its aim (toward {@link takeAbsorbable}). */
  private notePinned(aim: Aim, atMs: Milliseconds): void {
    const held = Math.abs(this.offset) >= this.o.absorbMinMs && Math.abs(aim.targetMs - this.offset) <= this.o.absorbMaxMoveMs;
    if (!held) this.pinned = null;
    else if (this.pinned === null || Math.abs(aim.levelMs - this.pinned.levelMs) > this.o.absorbMaxMoveMs) this.pinned = { sinceMs: atMs, levelMs: aim.levelMs };
  }

  /**
   * The offset to hand to the rules' latency now (ms; 0: none), see the module comment. Once
   * taken, the offset is 0: the caller adds it to the latency, and the mapping stays put.
   */
  takeAbsorbable(): Milliseconds {
    const p = this.pinned;
    if (p === null || this.lastAtMs - p.sinceMs < (this.offset > 0 ? this.o.absorbUpAfterMs : this.o.absorbDownAfterMs)) return 0;
    const absorbedMs = this.offset;
    this.offset = 0;
    this.pinned = null;
    return absorbedMs;
  }

  /** The latency in use was set anew (from readings): the offset is part of it now. */
  latencySet(): void {
    this.startOver();
    this.offset = 0;
    this.holdUntilMs = Number.NEGATIVE_INFINITY;
  }

  /**
   * The render line restarted: readings on it are judged afresh; the offset is held meanwhile. The
   * latencies heard are forgotten: the latency kept through a restart can lie ms off the new line
   * with the output put (at the press, 4.4–5.6 ms), and taken for heard it let the offset rise
   * that far in the next 2 minutes.
   */
  lineRestarted(): void {
    this.startOver();
    this.heard.clear();
  }

  private startOver(): void {
    this.points = [];
    this.lastAtMs = Number.NaN;
    this.pinned = null;
  }

  /**
   * The quick following's aim: the median of the readings since the disturbance, of the latest
   * `quickWindowMs`, within `quickBandMs` either way of the latency heard when the disturbance came
   * ({@link QuickFollowing.bandCentreMs}); null: hold it. Too many readings outside the
   * band abandon the quick following and start the hold, as in {@link target}.
   */
  private quickTarget(sinceMs: Milliseconds, atMs: Milliseconds, latencyMs: Milliseconds, impliedOf: ImpliedOf): Aim | null {
    const recent = this.points.filter((p) => p.readAtMs >= sinceMs && atMs - p.readAtMs <= this.o.quickWindowMs);
    if (recent.length < this.o.quickMinReadings) return null;
    const centreMs = this.quick.bandCentreMs(this.offset);
    const inside = this.inBand(recent, atMs, latencyMs + centreMs, impliedOf, this.o.quickBandMs, this.o.quickBandMs);
    if (inside === null) {
      this.abandonQuick();
      return null;
    }
    if (atMs < this.holdUntilMs) return null;
    const levelMs = centreMs + median(inside.map((g) => g.valueMs));
    return { targetMs: levelMs, levelMs };
  }

  /**
   * The readings' gaps to the latency (ms, with when each was read) that lie within `downMs` below
   * and `upMs` above it; null, and the hold started, when more than `maxOutsideFraction` lie outside.
   */
  private inBand(points: readonly FineReading[], atMs: Milliseconds, latencyMs: Milliseconds, impliedOf: ImpliedOf, downMs: Milliseconds, upMs: Milliseconds): Gap[] | null {
    const gaps = points.map((p) => ({ atMs: p.readAtMs, valueMs: impliedOf(p.ctxMs, p.perfMs) - latencyMs })).filter((g) => g.valueMs >= -downMs && g.valueMs <= upMs);
    if (points.length - gaps.length <= this.o.maxOutsideFraction * points.length && gaps.length > 0) return gaps;
    this.holdUntilMs = atMs + this.o.outsideHoldMs;
    return null;
  }

  /**
   * Where the offset should go and the readings' level (the median gap), ms; null: hold it (too
   * many readings outside the band also start the hold that `outsideHoldMs` extends).
   */
  private target(atMs: Milliseconds, latencyMs: Milliseconds, impliedOf: ImpliedOf): Aim | null {
    const points = this.points;
    if (points.length < this.o.minReadings) return null;
    if (points[points.length - 1]!.readAtMs - points[0]!.readAtMs < this.o.minSpanMs) return null;
    const returnMs = this.heard.aboveMs(latencyMs);
    const gaps = this.inBand(points, atMs, latencyMs, impliedOf, this.o.bandDownMs, returnMs + this.o.bandUpMs);
    if (gaps === null || atMs < this.holdUntilMs) return null;
    const level = median(gaps.map((g) => g.valueMs));
    const rise = slopePerSec(gaps);
    const rising = rise.slope - 2 * rise.se > this.o.maxRiseMsPerSec;
    const maxUpMs = Math.max(returnMs, rising ? Math.max(0, this.offset) : this.o.maxUpMs);
    const targetMs = Math.max(-this.o.maxDownMs, Math.min(maxUpMs, level));
    return { targetMs, levelMs: level, returning: returnMs >= this.o.absorbMinMs && targetMs > this.offset && targetMs <= returnMs };
  }
}
