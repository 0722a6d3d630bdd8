/**
 * Who leads the room, as this tab sees it: the pure election, the history of its leaders, and the
 * clock link following the leader's timeline. {@link RoomLeadership.sync} applies the election's
 * verdict; the session broadcasts and notifies on what it returns.
 */
import { Election } from '../sync/election.js';
import { LeaderHistory, type LeaderChange } from '../sync/leader-history.js';
import type { Milliseconds } from '../sync/units.js';
import type { ClockLink } from './clock-link.js';

/** What a {@link RoomLeadership.sync} found: nothing new, or the leader (and term) now. */
export type LeadershipChange = { readonly leaderId: string | null; readonly term: number; readonly leaderChanged: boolean } | null;

export class RoomLeadership {
  private current: Election;
  private seen: { id: string | null; term: number } = { id: null, term: 0 };
  private readonly history = new LeaderHistory();
  /** The leader whose timeline the clock serves or follows. */
  private clockLeaderId: string | null = null;

  constructor(
    private readonly selfId: string,
    private readonly peerTimeoutMs: Milliseconds,
    private readonly clockLink: ClockLink,
  ) {
    this.current = this.fresh();
  }

  get election(): Election {
    return this.current;
  }

  /** The leaders followed, oldest first. */
  changes(): LeaderChange[] {
    return this.history.entries();
  }

  /** Start over as a fresh joiner (join grace, follows a leader it hears). */
  restart(): void {
    this.current = this.fresh();
  }

  /** Follow the election's verdict in the clock; returns the change, or null when there is none. */
  sync(nowMs: Milliseconds): LeadershipChange {
    const leaderId = this.current.leaderId;
    const term = this.current.term;
    if (leaderId === this.seen.id && term === this.seen.term) return null;
    const previous = this.seen.id;
    this.seen = { id: leaderId, term };
    this.history.record(nowMs, leaderId, term, this.current.lastLeaderLoss);
    // A brief "no leader" moment followed by the same leader must not restart clock sync.
    if (leaderId !== null && leaderId !== this.clockLeaderId) {
      this.clockLeaderId = leaderId;
      if (leaderId === this.selfId) this.clockLink.lead();
      else this.clockLink.follow(leaderId);
    }
    return { leaderId, term, leaderChanged: leaderId !== previous };
  }

  private fresh(): Election {
    return new Election(this.selfId, { peerTimeoutMs: this.peerTimeoutMs });
  }
}
