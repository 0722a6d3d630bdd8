/**
 * The leaders a node has followed, newest last, each with how the one before was lost: so a
 * leader change can be told apart afterwards (a leader that left, or one deposed for silence
 * while the machine was too busy to hear it). Pure; times are the node's clock, ms.
 */
import type { LeaderLoss, PeerId } from './election.js';

/** One change of leader (or term) as this node saw it. */
export interface LeaderChange {
  readonly atMs: number;
  /** The leader followed from now on (null: none for the moment). */
  readonly leaderId: PeerId | null;
  readonly term: number;
  /** How the previous leader was lost, when that led to this change. */
  readonly lost: Omit<LeaderLoss, 'atMs'> | null;
}

/** Entries kept (the newest): a room settles within a few; more means its leadership flaps. */
export const LEADER_HISTORY_LENGTH = 20;

export class LeaderHistory {
  private readonly list: LeaderChange[] = [];
  private lastLoss: LeaderLoss | null = null;

  /** Leadership is now `leaderId` in `term`; `loss` is the election's latest loss (it names the leader lost). */
  record(atMs: number, leaderId: PeerId | null, term: number, loss: LeaderLoss | null): void {
    const fresh = loss !== null && loss !== this.lastLoss;
    this.lastLoss = loss;
    this.list.push({ atMs, leaderId, term, lost: fresh ? { leaderId: loss.leaderId, cause: loss.cause } : null });
    if (this.list.length > LEADER_HISTORY_LENGTH) this.list.shift();
  }

  /** The changes, oldest first (a copy). */
  entries(): LeaderChange[] {
    return [...this.list];
  }
}
