/**
 * Membership and leader election for the tabs of one room (pure: time is passed in).
 *
 * The leader's heartbeat carries its `term` and its succession list (itself first, then members
 * in the order it saw them come up). Followers keep their leader's list. When the leader is lost
 * (goodbye, closed channel, abdication or silence), every node ranks the members that may claim
 * by that list (others after, by id) and only the first claims `max term + 1`; the others wait
 * for its heartbeat. After silence the first waits until another member confirms the loss (or
 * `silenceConfirmMs`), so one lost heartbeat streak does not depose a live leader. Two leaders
 * that hear each other resolve by the higher term; in equal terms by the number of members that
 * follow each (so a room keeps its leader, and its timeline, against a newcomer that claimed
 * alone in term 1 because its links came up late), then by the lower id; the loser follows.
 *
 * Joiners do not claim during the join grace and follow any leader they hear, directly or as
 * reported by a follower; nobody claims while a live peer follows, in a current term, a leader
 * it cannot hear yet. So a live leader keeps its place against joiners, and a reloaded leader
 * (same id, fresh state) yields to its successor instead of coming back.
 * Assumes reachability is transitive within a component (a full mesh); a tab that can hear some
 * members but never their leader stays leaderless rather than splitting the room.
 *
 * Invariants after every call: `term` never decreases; `isLeader` ⇔ `leaderId === selfId`;
 * a leader's `succession()[0]` is itself; `leaderId` is null, self, or in `alivePeers()`.
 */
import { PeerTable, sanitizeHeartbeat, type HeartbeatPayload } from './election-peers.js';
import { claimBeats, leaderSuccession, sanitizeIds, successionOrder, type Claim, type PeerId } from './succession.js';

export type { HeartbeatPayload } from './election-peers.js';
export { shouldDial, type PeerId } from './succession.js';

export interface ElectionOptions {
  /** A peer is alive while its channel is up and it was heard within this many ms. */
  peerTimeoutMs: number;
  /**
   * A fresh node does not claim for this long unless every listed peer answered. Longer than the
   * shell's discovery poll (1 s; 2 s tested) plus a connect, so a joiner that must wait to be dialled still
   * hears the room first.
   */
  joinGraceMs: number;
  /**
   * After the leader fell silent, its successor claims once another member confirms the loss, or
   * after this long (a leader heard again in the meantime is simply followed again).
   */
  silenceConfirmMs: number;
}

export const DEFAULT_ELECTION_OPTIONS: Readonly<ElectionOptions> = {
  peerTimeoutMs: 1200,
  joinGraceMs: 2500,
  silenceConfirmMs: 600,
};

/**
 * How a node lost its leader: 'silent' (nothing heard for `peerTimeoutMs` on an open channel),
 * 'left' (a goodbye or its channel closed), 'stepped-down' (its heartbeat named another leader).
 * `atMs` is the node's clock.
 */
export interface LeaderLoss {
  readonly leaderId: PeerId;
  readonly cause: 'silent' | 'left' | 'stepped-down';
  readonly atMs: number;
}

interface Candidate extends Claim {
  readonly succession: PeerId[];
  /** Heard from the leader itself, not relayed by a follower. */
  readonly direct: boolean;
}

/** One node's view of its room; see the module comment for the rules. */
export class Election {
  private readonly options: ElectionOptions;
  private readonly peers: PeerTable;
  private listed: PeerId[] | null = null;
  private nowMs = 0;
  private startMs: number | null = null;
  private graceOver = false;
  private leaderlessSinceMs = 0;
  /** The leader lost last, and how (silence, rather than a goodbye, a closed channel or abdication, awaits confirmation). */
  private lastLoss: LeaderLoss | null = null;
  private currentTerm = 0;
  private currentLeader: PeerId | null = null;
  /** The leader's succession list (own list when leader; last known list when leaderless). */
  private list: PeerId[] = [];

  constructor(
    readonly selfId: PeerId,
    options: Partial<ElectionOptions> = {},
  ) {
    this.options = {
      peerTimeoutMs: options.peerTimeoutMs ?? DEFAULT_ELECTION_OPTIONS.peerTimeoutMs,
      joinGraceMs: options.joinGraceMs ?? DEFAULT_ELECTION_OPTIONS.joinGraceMs,
      silenceConfirmMs: options.silenceConfirmMs ?? DEFAULT_ELECTION_OPTIONS.silenceConfirmMs,
    };
    this.peers = new PeerTable(this.options.peerTimeoutMs);
  }

  get leaderId(): PeerId | null {
    return this.currentLeader;
  }

  get term(): number {
    return this.currentTerm;
  }

  get isLeader(): boolean {
    return this.currentLeader === this.selfId;
  }

  /** How the leader was lost last (null: never). */
  get lastLeaderLoss(): LeaderLoss | null {
    return this.lastLoss;
  }

  /** Data channel to this peer is open (a fresh channel: what it said before is forgotten). */
  peerUp(id: PeerId, nowMs: number): void {
    if (id === this.selfId) return;
    this.advance(nowMs);
    this.peers.opened(id, this.nowMs);
    this.resolve();
  }

  /** Channel closed or goodbye received: the peer is gone now. */
  peerDown(id: PeerId, nowMs: number): void {
    if (id === this.selfId) return;
    this.advance(nowMs);
    this.peers.closed(id);
    if (id === this.currentLeader) this.loseLeader(id, 'left');
    this.resolve();
  }

  /** Any valid message from the peer was received (refreshes liveness; a message proves the channel is up). */
  heard(id: PeerId, nowMs: number): void {
    if (id === this.selfId) return;
    this.advance(nowMs);
    this.peers.heard(id, this.nowMs);
    this.resolve();
  }

  /** A heartbeat from the peer (also counts as heard). Malformed payloads only count as heard. */
  onHeartbeat(id: PeerId, hb: HeartbeatPayload, nowMs: number): void {
    if (id === this.selfId) return;
    this.advance(nowMs);
    const clean = sanitizeHeartbeat(hb);
    if (clean === null) this.peers.heard(id, this.nowMs);
    else {
      this.peers.setHeartbeat(id, clean, this.nowMs);
      if (id === this.currentLeader) this.fromLeader(id, clean);
    }
    this.resolve();
  }

  /** The signaling listing of this room's peer ids (may include self and stale ids). */
  discovered(ids: readonly PeerId[], nowMs: number): void {
    this.advance(nowMs);
    this.listed = sanitizeIds(ids).filter((id) => id !== this.selfId);
    this.resolve();
  }

  /** Advance time: expire silent peers, end the join grace, resolve leadership. */
  tick(nowMs: number): void {
    this.advance(nowMs);
    this.resolve();
  }

  /** The payload to broadcast now (a copy). */
  heartbeat(): HeartbeatPayload {
    return { term: this.currentTerm, leaderId: this.currentLeader, succession: [...this.list] };
  }

  /** Alive peers (excluding self), sorted by id. */
  alivePeers(): PeerId[] {
    return this.peers.alive(this.nowMs);
  }

  /** Members in succession order, as this node knows them (self included): the list, then others by id. */
  succession(): PeerId[] {
    return successionOrder(this.list, [...this.list, this.selfId, ...this.alivePeers()]);
  }

  private advance(nowMs: number): void {
    if (this.startMs === null) {
      // Local clocks may read negative (an injected offset): time starts at the first call.
      this.startMs = nowMs;
      this.nowMs = nowMs;
      this.leaderlessSinceMs = nowMs;
    }
    this.nowMs = Math.max(this.nowMs, nowMs);
  }

  private isAlive(id: PeerId): boolean {
    return this.peers.isAlive(id, this.nowMs);
  }

  /** A heartbeat from the current leader: refresh its list, or notice that it no longer leads. */
  private fromLeader(id: PeerId, hb: HeartbeatPayload): void {
    if (hb.leaderId !== id) this.loseLeader(id, 'stepped-down');
    else if (hb.term >= this.currentTerm) {
      this.currentTerm = hb.term;
      this.list = hb.succession;
    }
  }

  private loseLeader(id: PeerId, cause: LeaderLoss['cause']): void {
    this.lastLoss = { leaderId: id, cause, atMs: this.nowMs };
    this.currentLeader = null;
    this.list = this.list.filter((member) => member !== id);
    this.leaderlessSinceMs = this.nowMs;
  }

  /** Bring leadership up to date with the current view. Deterministic in the view. */
  private resolve(): void {
    if (!this.graceOver && this.graceDue()) {
      this.graceOver = true;
      this.leaderlessSinceMs = this.nowMs;
    }
    const leader = this.currentLeader;
    if (leader !== null && leader !== this.selfId && !this.isAlive(leader)) this.loseLeader(leader, 'silent');
    const best = this.bestClaim();
    if (best !== null && this.beatsCurrent(best)) this.follow(best);
    if (this.isLeader) this.list = leaderSuccession(this.selfId, this.list, this.alivePeers());
    else if (this.currentLeader === null && this.mayClaim()) this.claim();
  }

  private graceDue(): boolean {
    if (this.startMs !== null && this.nowMs - this.startMs >= this.options.joinGraceMs) return true;
    return this.listed !== null && this.listed.every((id) => this.peers.answered(id));
  }

  /**
   * The best leader claim in view: alive peers claiming for themselves, and leaders reported by
   * alive followers when that leader is alive here but has not sent us a heartbeat yet.
   */
  private bestClaim(): Candidate | null {
    let best: Candidate | null = null;
    for (const id of this.alivePeers()) {
      const hb = this.peers.heartbeat(id);
      if (hb === null || hb.leaderId === null) continue;
      const reported = hb.leaderId;
      const direct = reported === id;
      const usable =
        direct || (reported !== this.selfId && this.isAlive(reported) && this.peers.heartbeat(reported) === null);
      if (!usable) continue;
      const candidate: Candidate = { term: hb.term, leaderId: reported, succession: hb.succession, direct };
      if (best === null || this.outranks(candidate, best) || (sameClaim(candidate, best) && direct && !best.direct)) {
        best = candidate;
      }
    }
    return best;
  }

  private beatsCurrent(candidate: Candidate): boolean {
    if (this.currentLeader === null) return candidate.term >= this.currentTerm;
    return this.outranks(candidate, { term: this.currentTerm, leaderId: this.currentLeader });
  }

  /** Claim `a` beats claim `b`: the higher term; in equal terms more followers in view, then the lower id. */
  private outranks(a: Claim, b: Claim): boolean {
    if (a.term !== b.term || a.leaderId === b.leaderId) return claimBeats(a, b);
    const followersA = this.followers(a.leaderId);
    const followersB = this.followers(b.leaderId);
    if (followersA !== followersB) return followersA > followersB;
    return claimBeats(a, b);
  }

  /**
   * Members in view (alive peers by their latest heartbeat, and self) that follow `leaderId`,
   * not counting it. Every node of a full mesh counts the same heartbeats, so two leaders agree.
   */
  private followers(leaderId: PeerId): number {
    let count = this.currentLeader === leaderId && leaderId !== this.selfId ? 1 : 0;
    for (const id of this.alivePeers()) {
      if (id !== leaderId && this.peers.heartbeat(id)?.leaderId === leaderId) count++;
    }
    return count;
  }

  private follow(candidate: Candidate): void {
    this.currentTerm = candidate.term;
    this.currentLeader = candidate.leaderId;
    this.list = [...candidate.succession];
    this.graceOver = true;
  }

  /**
   * Leaderless: claim when past the grace, no live peer follows a leader we cannot see yet (or
   * our own earlier incarnation), and we rank first among the members that may claim. After a
   * full `peerTimeoutMs` without a leader, claim anyway (views that disagree cannot deadlock).
   */
  private mayClaim(): boolean {
    if (!this.graceOver || this.waitingForUnseenLeader()) return false;
    const leaderlessMs = this.nowMs - this.leaderlessSinceMs;
    if (leaderlessMs >= this.options.peerTimeoutMs) return true;
    if (successionOrder(this.list, this.claimable())[0] !== this.selfId) return false;
    return leaderlessMs >= this.options.silenceConfirmMs || this.silenceConfirmed();
  }

  /** No leader lost to silence, or another live member no longer follows it. */
  private silenceConfirmed(): boolean {
    const lost = this.lastLoss;
    if (lost === null || lost.cause !== 'silent') return true;
    return this.alivePeers().some((id) => {
      const hb = this.peers.heartbeat(id);
      return hb !== null && hb.term >= this.currentTerm && hb.leaderId !== lost.leaderId;
    });
  }

  /**
   * A live peer follows, in our term or a newer one, a leader we cannot hear (not yet connected,
   * or our own earlier incarnation), other than the leader we just lost: it will connect or the
   * reports will change, so wait instead of starting a rival.
   */
  private waitingForUnseenLeader(): boolean {
    return this.alivePeers().some((id) => {
      const hb = this.peers.heartbeat(id);
      if (hb === null || hb.leaderId === null || hb.leaderId === id || hb.term < this.currentTerm) return false;
      return hb.leaderId !== this.lastLoss?.leaderId && !this.isAlive(hb.leaderId);
    });
  }

  /** Self and the alive peers that may still claim: not leaders of an older term, not on an older term. */
  private claimable(): PeerId[] {
    const ids = this.alivePeers().filter((id) => {
      const hb = this.peers.heartbeat(id);
      return hb !== null && hb.term >= this.currentTerm && hb.leaderId !== id;
    });
    return [this.selfId, ...ids];
  }

  private claim(): void {
    let term = this.currentTerm;
    for (const id of this.alivePeers()) term = Math.max(term, this.peers.heartbeat(id)?.term ?? 0);
    this.currentTerm = term + 1;
    this.currentLeader = this.selfId;
    this.list = leaderSuccession(this.selfId, this.list, this.alivePeers());
    this.graceOver = true;
  }
}

function sameClaim(a: Claim, b: Claim): boolean {
  return a.term === b.term && a.leaderId === b.leaderId;
}
