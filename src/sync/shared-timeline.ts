import { ClockSync, type ClockProbe, type ClockState, type ClockSyncOptions, type ReplyOutcome } from './clock-sync.js';
import {
  IDENTITY_MAPPING,
  mapToLocal,
  mapToShared,
  mappingOffsetAt,
  rebaseMapping,
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
 * a previous leader), or, having none, the best estimate so far.
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
  /** Whether `served` is a real mapping (authority's, or a converged estimate) worth holding. */
  private holding = false;
  private heldUncertaintyMs: Milliseconds = Number.POSITIVE_INFINITY;
  private sync: ClockSync | null = null;

  /** `now()`: this tab's local clock in ms (performance.now() in the app). */
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
    this.served = rebaseMapping(this.served, this.localNow());
    this.holding = true;
    this.heldUncertaintyMs = 0;
    this.sync = null;
    this.currentRole = TimelineRole.Authority;
  }

  /**
   * Another tab is (now) the leader: start a new estimate with a fast burst. A mapping we had is
   * served until the new estimate converges. Each call starts over (a new leader).
   */
  follow(): void {
    if (this.currentRole === TimelineRole.Follower && this.sync?.converged === true) this.hold(this.sync);
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
    const outcome = sync.handleReply(seq, t1Shared, t2Shared, this.localNow());
    const estimate = sync.mapping();
    if (sync.converged && estimate !== null) {
      this.served = estimate;
      this.holding = false;
    } else if (!this.holding && estimate !== null) {
      this.served = estimate;
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
      };
    }
    const s = sync.state(local);
    const servingEstimate = !this.holding;
    return {
      role: this.currentRole,
      offsetMs,
      ratePpm,
      uncertaintyMs: servingEstimate ? s.uncertaintyMs : this.heldUncertaintyMs,
      bestRttMs: s.bestRttMs,
      converged: servingEstimate && s.converged,
      sampleCount: s.sampleCount,
    };
  }

  private hold(sync: ClockSync): void {
    const local = this.localNow();
    this.holding = true;
    this.heldUncertaintyMs = sync.uncertaintyAt(local);
    this.served = rebaseMapping(this.served, local);
  }
}
