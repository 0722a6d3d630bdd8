/**
 * Seeded discrete-event simulation of a room: N tabs, each running an `Election`, wired like the
 * room shell (tick every `tickMs`, heartbeat every `heartbeatMs`, discovery poll every
 * `discoveryMs`, the lower id dials and the other side dials after an unanswered round, a
 * heartbeat on link open, goodbye on leave). The network has per-link delay with jitter (FIFO
 * per direction), message loss, cut links (partitions) and ICE failure after long silence.
 * Same seed and script ⇒ same run.
 */
import { Election, shouldDial, type ElectionOptions, type HeartbeatPayload, type PeerId } from '../../src/sync/election.js';
import { compareIds } from '../../src/sync/succession.js';
import { EventQueue } from './event-queue.js';
import { Rng } from './rng.js';

export interface MeshSimOptions {
  seed: number;
  heartbeatMs: number;
  tickMs: number;
  discoveryMs: number;
  /** Per-link base one-way delay is drawn once per pair in [minDelayMs, maxDelayMs). */
  minDelayMs: number;
  maxDelayMs: number;
  jitterMs: number;
  lossRate: number;
  connectMinMs: number;
  connectMaxMs: number;
  /** A link with no traffic for this long closes (ICE consent failure). */
  iceTimeoutMs: number;
  /** How long a crashed tab's id stays in the signaling listing. */
  staleListingMs: number;
  election: Partial<ElectionOptions>;
}

const DEFAULTS: Omit<MeshSimOptions, 'seed'> = {
  heartbeatMs: 300,
  tickMs: 100,
  discoveryMs: 2000,
  minDelayMs: 5,
  maxDelayMs: 60,
  jitterMs: 15,
  lossRate: 0,
  connectMinMs: 100,
  connectMaxMs: 400,
  iceTimeoutMs: 5000,
  staleListingMs: 4000,
  election: {},
};

/** A change of (leaderId, term) seen at one node. */
export interface LeaderChange {
  atMs: number;
  leaderId: PeerId | null;
  term: number;
}

type Message = { kind: 'heartbeat'; hb: HeartbeatPayload } | { kind: 'bye' };

interface SimNode {
  readonly id: PeerId;
  readonly incarnation: number;
  readonly election: Election;
  live: boolean;
  readonly links: Map<PeerId, { peerIncarnation: number; lastRxMs: number }>;
  readonly dialling: Set<PeerId>;
  readonly undialled: Map<PeerId, number>;
  lastHeartbeatMs: number;
  readonly history: LeaderChange[];
}

const pairKey = (a: PeerId, b: PeerId): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** The simulated room. Time starts at 0; nothing happens until `run`. */
export class MeshSim {
  readonly options: MeshSimOptions;
  readonly rng: Rng;
  /** Broken invariants seen after events: a term decreased, a dead leader followed (should stay empty). */
  readonly violations: string[] = [];
  private readonly queue = new EventQueue();
  private readonly nodes = new Map<PeerId, SimNode>();
  private readonly registeredUntil = new Map<PeerId, number>();
  private readonly linkDelayMs = new Map<string, number>();
  private readonly lastDeliveryMs = new Map<string, number>();
  private readonly cuts = new Set<string>();
  private groups: Map<PeerId, number> | null = null;

  constructor(options: Partial<MeshSimOptions> & { seed: number }) {
    this.options = { ...DEFAULTS, ...options };
    this.rng = new Rng(options.seed);
  }

  get nowMs(): number {
    return this.queue.now;
  }

  set lossRate(rate: number) {
    this.options.lossRate = rate;
  }

  /** A tab opens (or reopens with a fresh state after reload); `tickMs` overrides the cadence. */
  join(id: PeerId, tickMs = this.options.tickMs): void {
    const previous = this.nodes.get(id);
    if (previous?.live) throw new Error(`${id} is already in the room`);
    const node: SimNode = {
      id,
      incarnation: (previous?.incarnation ?? 0) + 1,
      election: new Election(id, this.options.election),
      live: true,
      links: new Map(),
      dialling: new Set(),
      undialled: new Map(),
      lastHeartbeatMs: -Infinity,
      history: [],
    };
    this.nodes.set(id, node);
    this.registeredUntil.set(id, Infinity);
    this.every(node, this.rng.uniform(0, tickMs), tickMs, () => this.tick(node));
    this.every(node, this.rng.uniform(20, 80), this.options.discoveryMs, () => this.discover(node));
  }

  /** `ids` join one after the other, `gapMs` apart, starting now. */
  joinInOrder(ids: readonly PeerId[], gapMs: number): void {
    ids.forEach((id, i) => this.at(this.nowMs + i * gapMs, () => this.join(id)));
  }

  /** The tab closes: goodbye to every linked peer (subject to loss), listing entry removed. */
  leave(id: PeerId): void {
    const node = this.live(id);
    for (const peer of node.links.keys()) this.send(node, peer, { kind: 'bye' });
    node.live = false;
    this.registeredUntil.delete(id);
  }

  /** The tab dies silently; its listing entry stays for `staleListingMs`. */
  crash(id: PeerId): void {
    this.live(id).live = false;
    this.registeredUntil.set(id, this.queue.now + this.options.staleListingMs);
  }

  /** Reload: leave (or crash without goodbye), then join again with the same id after `downMs`. */
  reload(id: PeerId, goodbye = true, downMs = 300): void {
    if (goodbye) this.leave(id);
    else this.crash(id);
    this.at(this.queue.now + downMs, () => this.join(id));
  }

  /** Cut every link between different groups; ids in no group form one more group. Replaces earlier groups. */
  partition(groups: readonly (readonly PeerId[])[]): void {
    this.groups = new Map();
    groups.forEach((group, index) => group.forEach((id) => this.groups?.set(id, index)));
  }

  /** Cut one link (both directions). */
  cut(a: PeerId, b: PeerId): void {
    this.cuts.add(pairKey(a, b));
  }

  /** Remove every cut and partition. */
  heal(): void {
    this.cuts.clear();
    this.groups = null;
  }

  isCut(a: PeerId, b: PeerId): boolean {
    if (this.cuts.has(pairKey(a, b))) return true;
    return this.groups !== null && (this.groups.get(a) ?? -1) !== (this.groups.get(b) ?? -1);
  }

  /** Schedule `run` at an absolute simulated time; every live tab's leadership is recorded after it. */
  at(atMs: number, run: () => void): void {
    this.queue.at(atMs, () => {
      run();
      for (const node of this.nodes.values()) if (node.live) this.observe(node);
    });
  }

  /** Process every event up to `nowMs + durationMs`. */
  run(durationMs: number): void {
    this.queue.runUntil(this.queue.now + durationMs);
  }

  /** Run in `stepMs` steps until `done()` or `maxMs` passed; the elapsed ms, or null on timeout. */
  runUntil(done: () => boolean, maxMs: number, stepMs = 10): number | null {
    for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
      if (done()) return elapsed;
      this.run(stepMs);
    }
    return null;
  }

  /** Ids of the tabs currently open, sorted. */
  liveIds(): PeerId[] {
    return [...this.nodes.values()].filter((n) => n.live).map((n) => n.id).sort(compareIds);
  }

  /** The election of a live tab. */
  election(id: PeerId): Election {
    return this.live(id).election;
  }

  /** The (leaderId, term) changes of the current incarnation of `id`. */
  history(id: PeerId): readonly LeaderChange[] {
    return this.nodes.get(id)?.history ?? [];
  }

  /** Live tabs that consider themselves leader. */
  leaders(): PeerId[] {
    return this.liveIds().filter((id) => this.election(id).isLeader);
  }

  /** Whether `a` has an open link to the current incarnation of `b`. */
  linked(a: PeerId, b: PeerId): boolean {
    return this.live(a).links.get(b)?.peerIncarnation === this.live(b).incarnation;
  }

  private live(id: PeerId): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined || !node.live) throw new Error(`${id} is not in the room`);
    return node;
  }

  /** Repeat `run` for this incarnation of `node` while it is open. */
  private every(node: SimNode, firstDelayMs: number, periodMs: number, run: () => void): void {
    const step = (): void => {
      if (!node.live) return;
      run();
      this.at(this.queue.now + periodMs, step);
    };
    this.at(this.queue.now + firstDelayMs, step);
  }

  private observe(node: SimNode): void {
    const { leaderId, term, isLeader } = node.election;
    if (leaderId !== null && leaderId !== node.id && !node.election.alivePeers().includes(leaderId)) {
      this.violations.push(`${node.id}: follows ${leaderId}, not alive, at ${this.queue.now}`);
    }
    if (isLeader && node.election.succession()[0] !== node.id) this.violations.push(`${node.id}: leads but not first at ${this.queue.now}`);
    const last = node.history[node.history.length - 1];
    if (last !== undefined && last.leaderId === leaderId && last.term === term) return;
    if (last !== undefined && term < last.term) this.violations.push(`${node.id}: term ${last.term} → ${term} at ${this.queue.now}`);
    if (last !== undefined || leaderId !== null || term !== 0) node.history.push({ atMs: this.queue.now, leaderId, term });
  }

  private tick(node: SimNode): void {
    const now = this.queue.now;
    for (const [peer, link] of node.links) {
      if (now - link.lastRxMs <= this.options.iceTimeoutMs) continue;
      node.links.delete(peer);
      node.election.peerDown(peer, now);
    }
    node.election.tick(now);
    if (now - node.lastHeartbeatMs < this.options.heartbeatMs) return;
    node.lastHeartbeatMs = now;
    for (const peer of node.links.keys()) this.send(node, peer, { kind: 'heartbeat', hb: node.election.heartbeat() });
  }

  private discover(node: SimNode): void {
    const listing = [...this.registeredUntil].filter(([, untilMs]) => untilMs > this.queue.now).map(([id]) => id);
    node.election.discovered(listing.sort(compareIds), this.queue.now);
    for (const peer of listing) {
      if (peer === node.id || node.links.has(peer)) {
        node.undialled.delete(peer);
        continue;
      }
      const rounds = (node.undialled.get(peer) ?? 0) + 1;
      node.undialled.set(peer, rounds);
      if (shouldDial(node.id, peer) || rounds > 1) this.dial(node, peer);
    }
  }

  private dial(node: SimNode, peer: PeerId): void {
    if (node.dialling.has(peer)) return;
    node.dialling.add(peer);
    const callee = this.nodes.get(peer);
    this.at(this.queue.now + this.rng.uniform(this.options.connectMinMs, this.options.connectMaxMs), () => {
      node.dialling.delete(peer);
      if (!node.live || callee === undefined || !callee.live || this.nodes.get(peer) !== callee) return;
      if (this.isCut(node.id, peer) || node.links.has(peer)) return;
      for (const [a, b] of [[node, callee], [callee, node]] as const) {
        a.links.set(b.id, { peerIncarnation: b.incarnation, lastRxMs: this.queue.now });
        a.undialled.delete(b.id);
        a.election.peerUp(b.id, this.queue.now);
      }
      this.send(node, peer, { kind: 'heartbeat', hb: node.election.heartbeat() });
      this.send(callee, node.id, { kind: 'heartbeat', hb: callee.election.heartbeat() });
    });
  }

  private send(from: SimNode, to: PeerId, message: Message): void {
    if (this.isCut(from.id, to) || this.rng.chance(this.options.lossRate)) return;
    const receiver = this.nodes.get(to);
    if (receiver === undefined) return;
    const key = pairKey(from.id, to);
    let baseMs = this.linkDelayMs.get(key);
    if (baseMs === undefined) {
      baseMs = this.rng.uniform(this.options.minDelayMs, this.options.maxDelayMs);
      this.linkDelayMs.set(key, baseMs);
    }
    const direction = `${from.id}>${to}`;
    const atMs = Math.max(this.queue.now + baseMs + this.rng.uniform(0, this.options.jitterMs), this.lastDeliveryMs.get(direction) ?? 0);
    this.lastDeliveryMs.set(direction, atMs);
    this.at(atMs, () => this.deliver(from, receiver, message));
  }

  private deliver(from: SimNode, to: SimNode, message: Message): void {
    const link = to.links.get(from.id);
    if (!to.live || this.nodes.get(to.id) !== to || link === undefined || link.peerIncarnation !== from.incarnation) return;
    link.lastRxMs = this.queue.now;
    to.election.heard(from.id, this.queue.now);
    if (message.kind === 'heartbeat') {
      to.election.onHeartbeat(from.id, message.hb, this.queue.now);
      return;
    }
    to.links.delete(from.id);
    to.election.peerDown(from.id, this.queue.now);
  }
}
