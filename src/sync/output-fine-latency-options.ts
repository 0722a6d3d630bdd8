/**
 * Tuning of {@link FineLatency} and the evidence behind each bound. The fine offset follows how far
 * the readings that agree with the latency in use lie from it (see output-fine-latency.ts).
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
 *   latency anew ({@link FineLatency.latencySet}), a ramp or glitch leaves the output where it was. (Sending it
 *   to 0 instead moved the speaker by the offset and back; counting the judge's rejections as
 *   outside, readings 0.95 ms below the latency, on the tolerance's edge, sent it to 0 in
 *   bench:sync, and the speaker played 1 ms early for 20 s.)
 * - the offset moves at most `slewMsPerSec`, so the drift loop corrects it inaudibly;
 * - with too few readings (after a restart, say) the offset is held;
 * - an offset at least `absorbMinMs` from 0 that stood at its aim, while the readings' level
 *   stayed within `absorbMaxMoveMs` of where it was, for `absorbUpAfterMs` (above the latency) or
 *   `absorbDownAfterMs` (below) is handed to the rules' latency ({@link FineLatency.takeAbsorbable}), and the
 *   offset may go on from 0: in a 10-minute bench:sync a glitch left one speaker's latency ~0.8 ms
 *   low, its offset stood at +0.5 ms for the last 460 s, and it played 0.2–0.3 ms late all that
 *   time. A ramp moves the level far more than that in a minute. Below is no ramp: in simulation,
 *   a speaker whose latency stood 2 ms high when the common dip came played up to 0.68–0.82 ms
 *   apart from the others when its offset waited a minute, 0.08–0.14 ms after 20 s.
 * - after a disturbance ({@link FineLatency.disturbed}: an underrun was counted, the render line restarted)
 *   the offset follows the readings since, over `quickWindowMs` and at `quickSlewMsPerSec`, for
 *   `quickForMs`, within `quickBandMs` either way of the latency heard when the disturbance came
 *   (the rules' latency + the offset then: judged against the rules' latency alone, readings 3 ms
 *   below a speaker heard 1 ms below it left the band after an underrun and a render restart, the
 *   offset was held for 30 s, and the speaker, its output moved with them, played 3–4.6 ms early for
 *   10 s in bench:sync s40a; replayed with the band so centred, its offset from the others' p95 went
 *   0.29 → 0.19 ms over the 10 minutes). In a 10-minute bench:sync, twice an underrun
 *   with no render restart moved a speaker's output 1.7–1.8 ms late and back over ~10 s; its
 *   readings showed it (+1.4–2.2 ms), the slow offset lagged, and the speaker played 1.7 ms late,
 *   then 0.6 ms early; a third time the output moved 2.0 ms. The glitches whose readings are
 *   garbage jumped 4–40 ms: readings beyond the band, settling or not ({@link FineLatency.unsettled}), abandon
 *   the quick following and put the offset back. It takes over from the slow following only once
 *   the readings since lie `quickEngageMs` from the offset, within `quickEngageWithinMs` of the
 *   disturbance, and then stays on: twice in bench:sync a speaker's readings alone rose 0.5–0.9 ms
 *   after an underrun, its output put, and followed quickly it played 0.48 and 0.93 ms early for
 *   10–15 s (in simulation 0.87–0.89 ms; 0.45–0.56 ms with the threshold, as with no quick
 *   following). The output moves that came with an underrun were 1.3–3 ms; a smaller one is
 *   followed slowly.
 */
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
