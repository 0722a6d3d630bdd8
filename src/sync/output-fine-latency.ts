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
 * Bounds, since readings are not trusted blindly:
 * - only plausible readings on a mature line, not settling, that the judge accepted or rejected
 *   count;
 * - the offset is the median of the readings at most `bandDownMs` below the latency and
 *   `bandUpMs` above it, at most `maxDownMs` down (beyond, the rules follow down) and `maxUpMs` up:
 *   the ramp bug only makes readings late, and a ramp passes through the band before the rules
 *   reject it. (Down: in two 10-minute bench:sync runs every speaker's readings fell 1.4–1.75 ms
 *   after the press and came back over ~30 s; the speakers that followed stayed together, and the
 *   one whose offset stood at its then 1 ms cap played 1.5 ms apart from them for ~30 s. Up: 0.25 ms cost nothing in one
 *   trace, whose upward offsets had p95 0.21–0.29 ms; in three later 10-minute runs a start-up
 *   step had set some latencies 0.3–0.65 ms low for minutes, and 0.5 ms up, applied offline, gave
 *   pair p95 0.37 / 0.34 → 0.20 / 0.28 ms and 0.72 / 0.70 → 0.52 / 0.46 ms, none worse by more
 *   than 0.003 ms. Up to the judge's tolerance (1 ms) since: readings rising 0.8 ms and staying
 *   there, within the tolerance, left a speaker 0.3 ms late for 50 s under a 0.5 ms cap, until
 *   the flat net took readings beyond the tolerance. A ramp rises past the cap anyway: the rise
 *   check below, not the cap, keeps the offset off it);
 * - readings rising faster than `maxRiseMsPerSec` (beyond twice the slope's standard error) over
 *   the span may be a ramp: the offset does not rise then (the traces' natural wander rose at most
 *   0.035 ms/s over 30 s; the ramp bug's slowest is 0.03 ms/s, typically more). It is held, not
 *   sent to 0: in a 10-minute bench:sync a 3 s dip of the readings, then their return, read as a
 *   rise; the offset went from +0.46 to 0 and back, and the speaker played 0.45 ms late for 15 s.
 *   Readings rising back to a latency heard (rules' latency + offset) in the last `returnMemoryMs`
 *   are a return, not a ramp, and are followed up to it, past `maxUpMs` too (a latency is heard when
 *   the readings confirm it, on the current render line): the heard latency does
 *   not follow a ramp, so a ramp cannot raise that memory (the dip above, taken by the rules at its
 *   bottom, came back as a rise). The band reaches `bandUpMs` above that latency too: in a 10-minute
 *   bench:sync a speaker's output moved 2.83 ms early at once and came back over ~45 s (as a
 *   refilling PulseAudio stream would: its render line's rate rose 70 ppm meanwhile), its readings with it;
 *   the rules took the drop, the return lay beyond the band, the offset was held at 0.5 ms and the
 *   speaker played up to 3.3 ms late until the rules took the new level, 45 s later. Toward a
 *   latency heard at least `absorbMinMs` above, the offset moves at `returnSlewMsPerSec`: replayed
 *   on that trace's polls, the speaker's worst lateness in the return was ~2 ms at 0.1 ms/s and
 *   ~1.3 ms at 0.3 ms/s (the drift loop follows 0.3 ms/s, 300 ppm, by slipping samples as ever);
 * - when more than `maxOutsideFraction` of the latest readings lie outside the band, the readings
 *   are the rules' business (a ramp, a step, a glitch) and the offset is held, and for
 *   `outsideHoldMs` after, while a glitch's tail comes back through the band (readings 11.5 ms low
 *   at the press, the output put, recovering over a minute, moved the offset 1.4 ms): a step sets the
 *   latency anew ({@link latencySet}), a ramp or glitch leaves the output where it was. (Sending it
 *   to 0 instead moved the speaker by the offset and back; counting the judge's rejections as
 *   outside, readings 0.95 ms below the latency, on the tolerance's edge, sent it to 0 in
 *   bench:sync, and the speaker played 1 ms early for 20 s.)
 * - the offset moves at most `slewMsPerSec`, so the drift loop corrects it inaudibly;
 * - with too few readings (after a restart, say) the offset is held;
 * - an offset at least `absorbMinMs` from 0 that stood at its aim, while the readings' level
 *   stayed within `absorbMaxMoveMs` of where it was, for `absorbUpAfterMs` (above the latency) or
 *   `absorbDownAfterMs` (below) is handed to the rules' latency ({@link takeAbsorbable}), and the
 *   offset may go on from 0: in a 10-minute bench:sync a glitch left one speaker's latency ~0.8 ms
 *   low, its offset stood at +0.5 ms for the last 460 s, and it played 0.2–0.3 ms late all that
 *   time. A ramp moves the level far more than that in a minute. Below is no ramp: in simulation,
 *   a speaker whose latency stood 2 ms high when the common dip came played up to 0.68–0.82 ms
 *   apart from the others when its offset waited a minute, 0.08–0.14 ms after 20 s.
 * - after a disturbance ({@link disturbed}: an underrun was counted, the render line restarted)
 *   the offset follows the readings since, over `quickWindowMs` and at `quickSlewMsPerSec`, for
 *   `quickForMs`, within `quickBandMs` either way. In a 10-minute bench:sync, twice an underrun
 *   with no render restart moved a speaker's output 1.7–1.8 ms late and back over ~10 s; its
 *   readings showed it (+1.4–2.2 ms), the slow offset lagged, and the speaker played 1.7 ms late,
 *   then 0.6 ms early; a third time the output moved 2.0 ms. The glitches whose readings are
 *   garbage jumped 4–40 ms: readings beyond the band, settling or not ({@link unsettled}), abandon
 *   the quick following and put the offset back. It takes over from the slow following only once
 *   the readings since lie `quickEngageMs` from the offset, within `quickEngageWithinMs` of the
 *   disturbance, and then stays on: twice in bench:sync a speaker's readings alone rose 0.5–0.9 ms
 *   after an underrun, its output put, and followed quickly it played 0.48 and 0.93 ms early for
 *   10–15 s (in simulation 0.87–0.89 ms; 0.45–0.56 ms with the threshold, as with no quick
 *   following). The output moves that came with an underrun were 1.3–3 ms; a smaller one is
 *   followed slowly.
 * Pure: inputs carry their own timestamps.
 */
import { median } from './median.js';
import { slopePerSec } from './slope-fit.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link FineLatency}. */
export interface FineLatencyOptions {
  /** Readings of the latest this long count, ms… */
  readonly windowMs: Milliseconds;
  /** …once there are this many… */
  readonly minReadings: number;
  /** …spanning this long, ms. */
  readonly minSpanMs: Milliseconds;
  /** Readings at most this far below and above the latency count, ms… */
  readonly bandDownMs: Milliseconds;
  readonly bandUpMs: Milliseconds;
  /** …and above this fraction of the latest readings outside it, the offset is held… */
  readonly maxOutsideFraction: number;
  /** …and for this long after, ms. */
  readonly outsideHoldMs: Milliseconds;
  /** Largest offsets, down and up, ms. */
  readonly maxDownMs: Milliseconds;
  readonly maxUpMs: Milliseconds;
  /** Readings rising faster than this (ms per s, beyond 2 standard errors) allow no upward offset… */
  readonly maxRiseMsPerSec: number;
  /** …above the highest latency heard (rules' latency + offset) in the latest this long, ms. */
  readonly returnMemoryMs: Milliseconds;
  /** Fastest change of the offset, ms per s… */
  readonly slewMsPerSec: number;
  /** …and toward a latency heard at least `absorbMinMs` above the one in use, in the latest `returnMemoryMs`. */
  readonly returnSlewMsPerSec: number;
  /** A latency counts as heard when the readings' level (median gap) lies within this of the offset, ms. */
  readonly heardWithinMs: Milliseconds;
  /** An offset at least this far from 0 (ms), within `absorbMaxMoveMs` of its aim… */
  readonly absorbMinMs: Milliseconds;
  /** …and stood there this long above the latency, or below it, ms… */
  readonly absorbUpAfterMs: Milliseconds;
  readonly absorbDownAfterMs: Milliseconds;
  /** …with the readings' level moved less than this meanwhile, ms, becomes part of the latency. */
  readonly absorbMaxMoveMs: Milliseconds;
  /** After a disturbance (an underrun, a render restart), for this long (ms)… */
  readonly quickForMs: Milliseconds;
  /** …the offset follows the median of the readings since, of the latest this long (ms; at least `quickMinReadings`)… */
  readonly quickWindowMs: Milliseconds;
  readonly quickMinReadings: number;
  /** …within this of the latency either way (ms), at most this fast (ms per s). */
  readonly quickBandMs: Milliseconds;
  readonly quickSlewMsPerSec: number;
  /** Readings that settle later than this after the quick following began are a new event, not its move (ms). */
  readonly quickSettleGraceMs: Milliseconds;
  /** The quick following takes over once that median lies at least this far from the offset (ms)… */
  readonly quickEngageMs: Milliseconds;
  /** …within this long of the disturbance (ms); until then, and if it does not, the offset follows slowly. */
  readonly quickEngageWithinMs: Milliseconds;
}

export const DEFAULT_FINE_LATENCY_OPTIONS: FineLatencyOptions = {
  windowMs: 10_000, minReadings: 8, minSpanMs: 5_000, bandDownMs: 4, bandUpMs: 2, maxOutsideFraction: 0.1, outsideHoldMs: 30_000, maxDownMs: 3, maxUpMs: 1, maxRiseMsPerSec: 0.03, returnMemoryMs: 120_000, slewMsPerSec: 0.1, returnSlewMsPerSec: 0.3, heardWithinMs: 0.5,
  absorbMinMs: 1, absorbUpAfterMs: 60_000, absorbDownAfterMs: 20_000, absorbMaxMoveMs: 0.15,
  quickForMs: 20_000, quickWindowMs: 2_000, quickMinReadings: 4, quickBandMs: 4, quickSlewMsPerSec: 1, quickSettleGraceMs: 3_000, quickEngageMs: 1, quickEngageWithinMs: 5_000,
};

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

/** A quick following under way: its time span, the offset before it (ms), and whether it has taken over from the slow following. */
interface Quick {
  readonly sinceMs: Milliseconds;
  readonly untilMs: Milliseconds;
  readonly fromOffsetMs: Milliseconds;
  engaged: boolean;
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
  /**
   * The latency heard (rules' latency + offset, ms) after each reading of the latest
   * `returnMemoryMs` that the readings confirmed (their level within `heardWithinMs` of the offset),
   * on the current render line; oldest first.
   */
  private heard: { readonly atMs: Milliseconds; readonly latencyMs: Milliseconds }[] = [];
  /** Until when (ms) the offset is held after too many readings lay outside the band. */
  private holdUntilMs = Number.NEGATIVE_INFINITY;
  /** The quick following after a disturbance: due to start at the next reading, or under way; null: none. */
  private quick: 'pending' | Quick | null = null;

  constructor(private readonly o: FineLatencyOptions = DEFAULT_FINE_LATENCY_OPTIONS) {}

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
    this.heard = this.heard.filter((h) => atMs - h.atMs <= this.o.returnMemoryMs);
    if (this.quick === 'pending') this.quick = { sinceMs: atMs, untilMs: atMs + this.o.quickForMs, fromOffsetMs: this.offset, engaged: false };
    if (this.quick !== null && (atMs >= this.quick.untilMs || (!this.quick.engaged && atMs - this.quick.sinceMs > this.o.quickEngageWithinMs))) this.quick = null;
    const quickAim = this.quick === null ? null : this.quickTarget(this.quick.sinceMs, atMs, latencyMs, impliedOf);
    const quick = this.quick;
    if (quick !== null && quickAim !== null && Math.abs(quickAim.levelMs - this.offset) >= this.o.quickEngageMs) quick.engaged = true;
    const elapsedSec = Number.isFinite(this.lastAtMs) ? Math.max(0, atMs - this.lastAtMs) / 1000 : 0;
    this.lastAtMs = atMs;
    let confirmed = false;
    if (quick === null || !quick.engaged) {
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
    if (confirmed) this.heard.push({ atMs, latencyMs: latencyMs + this.offset });
  }

  /** The output may have moved (an underrun, a render restart): follow the readings quickly from the next one on. */
  disturbed(): void {
    this.quick = 'pending';
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
    const quick = this.quick;
    if (quick === null || !usable(reading, latencyMs)) return;
    if (Math.abs(impliedOf(reading.ctxMs, reading.perfMs) - latencyMs) > this.o.quickBandMs) this.holdUntilMs = reading.readAtMs + this.o.outsideHoldMs;
    else if (quick === 'pending' || reading.readAtMs - quick.sinceMs <= this.o.quickSettleGraceMs) return;
    this.abandonQuick();
  }

  /**
   * Ends a quick following that the readings disown, with the offset back where it was before it:
   * one half-followed left a speaker 1.0–1.5 ms early for 25 s in bench:sync, while its output came back.
   */
  private abandonQuick(): void {
    if (this.quick !== null && this.quick !== 'pending' && this.quick.engaged) this.offset = this.quick.fromOffsetMs;
    this.quick = null;
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
    this.heard = [];
  }

  private startOver(): void {
    this.points = [];
    this.lastAtMs = Number.NaN;
    this.pinned = null;
  }

  /**
   * The quick following's aim: the median of the readings since the disturbance, of the latest
   * `quickWindowMs`, within `quickBandMs` either way; null: hold it. Too many readings outside the
   * band abandon the quick following and start the hold, as in {@link target}.
   */
  private quickTarget(sinceMs: Milliseconds, atMs: Milliseconds, latencyMs: Milliseconds, impliedOf: ImpliedOf): Aim | null {
    const recent = this.points.filter((p) => p.readAtMs >= sinceMs && atMs - p.readAtMs <= this.o.quickWindowMs);
    if (recent.length < this.o.quickMinReadings) return null;
    const inside = this.inBand(recent, atMs, latencyMs, impliedOf, this.o.quickBandMs, this.o.quickBandMs);
    if (inside === null) {
      this.abandonQuick();
      return null;
    }
    if (atMs < this.holdUntilMs) return null;
    const levelMs = median(inside.map((g) => g.valueMs));
    return { targetMs: Math.max(-this.o.quickBandMs, Math.min(this.o.quickBandMs, levelMs)), levelMs };
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
    const returnMs = Math.max(0, ...this.heard.map((h) => h.latencyMs - latencyMs));
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
