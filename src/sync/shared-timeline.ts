import { ClockSync, type ClockProbe, type ClockState, type ClockSyncOptions, type ReplyOutcome } from './clock-sync.js';
import {
  IDENTITY_MAPPING,
  mapToLocal,
  mapToShared,
  mappingOffsetAt,
  type LinearMapping,
} from './linear-mapping.js';
import type { Milliseconds } from './units.js';

/** What this tab is to the room's clock. */
export const TimelineRole = { Authority: 'authority', Follower: 'follower', Unsynced: 'unsynced' } as const;
export type TimelineRole = (typeof TimelineRole)[keyof typeof TimelineRole];

/** Options of a {@link SharedTimeline}: those of its {@link ClockSync}. */
export type SharedTimelineOptions = ClockSyncOptions;

/** {@link ClockState} plus the tab's role. */
export type TimelineState = ClockState & { role: TimelineRole };

/**
 * The room's shared timeline as seen by one tab. Unsynced, it is the identity of the local clock.
 * As authority it serves a frozen mapping of its local clock (the one it had, so shared time never
 * jumps when a tab takes over). As follower it serves the {@link ClockSync} estimate once that has
 * converged; until then it keeps serving the mapping it had before (as authority or follower of
 * a previous leader, converged or known to 1 ms), or, having none, the best estimate so far.
 *
 * Invariant: the served mapping only changes on becomeAuthority (not at all), when a converged
 * estimate replaces a held mapping (a step of about the estimate's error), and on each reply while
 * converged (steps of about the estimate's change, µs).
 */
export class SharedTimeline {
  private readonly localNow: () => Milliseconds;
  private readonly options: Partial<SharedTimelineOptions>;
  private currentRole: TimelineRole = TimelineRole.Unsynced;
  private served: LinearMapping = IDENTITY_MAPPING;
  /** Set while a mapping from before the current leader is being served. */
  private held: HeldMapping | null = null;
  private sync: ClockSync | null = null;

  /** `now()`: this tab's local clock in ms (the page clock in the app). */
  constructor(now: () => Milliseconds, options: Partial<SharedTimelineOptions> = {}) {
    this.localNow = now;
    this.options = options;
  }

  get role(): TimelineRole {
    return this.currentRole;
  }

  /** Shared time now, ms. */
  now(): Milliseconds {
    return this.toShared(this.localNow());
  }

  /** Local → shared time, ms. */
  toShared(localMs: Milliseconds): Milliseconds {
    return mapToShared(this.served, localMs);
  }

  /** Shared → local time, ms. */
  toLocal(sharedMs: Milliseconds): Milliseconds {
    return mapToLocal(this.served, sharedMs);
  }

  /** This tab becomes (or stays) the leader: freeze the served mapping and serve it. No jump. */
  becomeAuthority(): void {
    if (this.currentRole === TimelineRole.Authority) return;
    this.held = null;
    this.sync = null;
    this.currentRole = TimelineRole.Authority;
  }

  /**
   * Another tab is (now) the leader: start a new estimate with a fast burst. A mapping we had
   * (as authority, or a converged follower) is served until the new estimate is at least as
   * good (see {@link shouldSwitch}). Each call starts over (a new leader).
   */
  follow(): void {
    const local = this.localNow();
    if (this.currentRole === TimelineRole.Authority) {
      this.held = startHold(local, AUTHORITY_HELD_UNCERTAINTY_MS, AUTHORITY_HELD_RATE_SD_PPM);
    } else if (this.currentRole === TimelineRole.Follower && this.held === null && this.sync !== null) {
      const uncertaintyMs = this.sync.uncertaintyAt(local);
      if (this.sync.converged || uncertaintyMs <= HOLDABLE_UNCERTAINTY_MS) this.held = startHold(local, Math.SQRT2 * uncertaintyMs, this.sync.rateSdPpm());
    }
    this.sync = new ClockSync(this.options, this.served.rate);
    this.currentRole = TimelineRole.Follower;
  }

  /** Follower: the next probe to send (t0 = local now), or null when not following. */
  createProbe(): ClockProbe | null {
    return this.sync === null ? null : this.sync.createProbe(this.localNow());
  }

  /** Follower: the leader's reply (t1/t2: its shared time at receipt/send); t3 = local now. */
  handleReply(seq: number, t1Shared: Milliseconds, t2Shared: Milliseconds): ReplyOutcome | null {
    const sync = this.sync;
    if (sync === null) return null;
    const local = this.localNow();
    const outcome = sync.handleReply(seq, t1Shared, t2Shared, local);
    const estimate = sync.mapping();
    if (estimate === null) return outcome;
    if (this.held === null) {
      this.served = estimate;
    } else if ((sync.converged || this.clearlyAnotherTimeline(sync)) && this.shouldSwitch(local, sync, estimate, this.held)) {
      this.served = estimate;
      this.held = null;
    }
    return outcome;
  }

  /** Authority: the shared time to stamp now (t1 or t2), ms. */
  stamp(): Milliseconds {
    return this.now();
  }

  /** Follower: local ms until the next probe should be sent; ∞ when not following. */
  nextProbeDelayMs(): Milliseconds {
    return this.sync === null ? Number.POSITIVE_INFINITY : this.sync.nextProbeDelayMs(this.localNow());
  }

  /** The synchronisation state now. */
  state(): TimelineState {
    const local = this.localNow();
    const offsetMs = mappingOffsetAt(this.served, local);
    const ratePpm = this.served.rate * 1e6;
    const sync = this.sync;
    if (this.currentRole === TimelineRole.Authority || sync === null) {
      const authority = this.currentRole === TimelineRole.Authority;
      return {
        role: this.currentRole,
        offsetMs,
        ratePpm,
        uncertaintyMs: authority ? 0 : Number.POSITIVE_INFINITY,
        bestRttMs: null,
        converged: authority,
        sampleCount: 0,
        jumps: 0,
      };
    }
    const s = sync.state(local);
    return {
      role: this.currentRole,
      offsetMs,
      ratePpm,
      uncertaintyMs: this.held === null ? s.uncertaintyMs : heldUncertaintyAt(this.held, local),
      bestRttMs: s.bestRttMs,
      converged: this.held === null && s.converged,
      sampleCount: s.sampleCount,
      jumps: s.jumps,
    };
  }

  /**
   * The leader's replies, even before the estimate converges, put its timeline far from the held
   * one (a leader that never shared our timeline, e.g. after tabs that started alone merge): holding
   * on would serve a mapping off by that much, so switch without waiting for convergence. Judged by
   * what the replies allow, not by the distance to the estimate: one reply answered late by a busy
   * new leader put the estimate 68 ms off and a follower's shared time stepped that much (room.e2e).
   */
  private clearlyAnotherTimeline(sync: ClockSync): boolean {
    return sync.contradictionMs(this.served) > ANOTHER_TIMELINE_MS;
  }

  /**
   * Replace the held mapping by the converged estimate when the estimate is at least as certain
   * as the held mapping has become, when they disagree far beyond both uncertainties (the new
   * leader serves another timeline), or after holding for MAX_HOLD_MS.
   */
  private shouldSwitch(local: Milliseconds, sync: ClockSync, estimate: LinearMapping, held: HeldMapping): boolean {
    const uNew = sync.uncertaintyAt(local);
    const uHeld = heldUncertaintyAt(held, local);
    const disagreement = Math.abs(mappingOffsetAt(estimate, local) - mappingOffsetAt(this.served, local));
    return uNew <= uHeld || disagreement > 5 * (uNew + uHeld) + 0.5 || local - held.sinceLocalMs >= MAX_HOLD_MS;
  }
}

/** A mapping kept from before the current leader, with how uncertain it was then. */
interface HeldMapping {
  readonly sinceLocalMs: Milliseconds;
  /** Its error vs the new leader's timeline when held, ms (1 sigma, estimated). */
  readonly uncertaintyMs: Milliseconds;
  /** Its rate's 1-sigma error, dimensionless (the error grows by this per ms held). */
  readonly rateSd: number;
}

/** Guess of an ex-authority's error vs the new leader: the new leader's own estimate of it, ms. */
const AUTHORITY_HELD_UNCERTAINTY_MS = 0.05;
const AUTHORITY_HELD_RATE_SD_PPM = 1;
/** A held mapping this far (ms) outside what a reply allows belongs to another timeline. */
const ANOTHER_TIMELINE_MS = 50;
/**
 * An unconverged follower's estimate known to this (1 sigma, ms) is still held across a leader
 * change: one that lost convergence to a burst of delayed replies is far better than a new
 * leader's first replies.
 */
const HOLDABLE_UNCERTAINTY_MS = 1;
/** Never hold an old mapping longer than this once the new estimate has converged, ms. */
const MAX_HOLD_MS = 60_000;

function startHold(local: Milliseconds, uncertaintyMs: Milliseconds, rateSdPpm: number): HeldMapping {
  return { sinceLocalMs: local, uncertaintyMs, rateSd: rateSdPpm * 1e-6 };
}

function heldUncertaintyAt(held: HeldMapping, local: Milliseconds): Milliseconds {
  return Math.hypot(held.uncertaintyMs, held.rateSd * (local - held.sinceLocalMs));
}
