import type { ReplyOutcome } from '../../src/sync/clock-sync.js';
import { SharedTimeline, TimelineRole, type SharedTimelineOptions } from '../../src/sync/shared-timeline.js';
import type { Milliseconds } from '../../src/sync/units.js';
import { LinkDirection, type SimLink, type SimNode } from './network-sim.js';

/** A simulated tab running a {@link SharedTimeline} on its own clock. */
export interface SyncPeer {
  readonly node: SimNode;
  readonly timeline: SharedTimeline;
}

/** Wrap a node in a timeline whose local clock is the node's clock. */
export function syncPeer(node: SimNode, options: Partial<SharedTimelineOptions> = {}): SyncPeer {
  return { node, timeline: new SharedTimeline(() => node.localNow(), options) };
}

/** Leader's time between stamping t1 and t2 (message handling), uniform in [minMs, maxMs]. */
export interface ProcessingConfig {
  readonly minMs: Milliseconds;
  readonly maxMs: Milliseconds;
}

/** What happened at one reply, as seen by the follower. */
export interface ReplyEvent {
  /** True time, ms. */
  readonly trueMs: Milliseconds;
  readonly outcome: ReplyOutcome | null;
  /** Change of the follower's shared time at this instant caused by the reply, ms. */
  readonly stepMs: Milliseconds;
  /** Whether the follower reports converged after the reply. */
  readonly converged: boolean;
}

/**
 * The app's probe loop between a follower and its leader, as the transport will run it: the
 * follower sends {seq, t0} when its timeline asks; the leader, if it is the authority, stamps t1
 * on receipt and t2 before replying; the follower hands the reply to its timeline.
 */
export class ProbeLoop {
  private readonly follower: SyncPeer;
  private readonly leader: SyncPeer;
  private readonly link: SimLink;
  private readonly processing: ProcessingConfig;
  private readonly onReply: ((event: ReplyEvent) => void) | null;
  private stopped = false;

  constructor(
    follower: SyncPeer,
    leader: SyncPeer,
    link: SimLink,
    processing: ProcessingConfig,
    onReply: ((event: ReplyEvent) => void) | null = null,
  ) {
    this.follower = follower;
    this.leader = leader;
    this.link = link;
    this.processing = processing;
    this.onReply = onReply;
  }

  /** Start probing now. */
  start(): void {
    this.follower.node.runAfter(0, () => this.tick());
  }

  /** Stop probing and ignore replies still in flight. */
  stop(): void {
    this.stopped = true;
  }

  private tick(): void {
    if (this.stopped) return;
    const probe = this.follower.timeline.createProbe();
    if (probe === null) return;
    this.link.send(LinkDirection.Forward, this.leader.node, () => this.answer(probe.seq));
    const delay = this.follower.timeline.nextProbeDelayMs();
    if (Number.isFinite(delay)) this.follower.node.runAfter(Math.max(delay, 0.001), () => this.tick());
  }

  private answer(seq: number): void {
    const leader = this.leader;
    if (leader.timeline.role !== TimelineRole.Authority) return;
    const t1 = leader.timeline.stamp();
    const sim = leader.node.sim;
    leader.node.runAfter(sim.rng.uniform(this.processing.minMs, this.processing.maxMs), () => {
      const t2 = leader.timeline.stamp();
      this.link.send(LinkDirection.Backward, this.follower.node, () => this.receive(seq, t1, t2));
    });
  }

  private receive(seq: number, t1: Milliseconds, t2: Milliseconds): void {
    if (this.stopped) return;
    const { node, timeline } = this.follower;
    const local = node.clock.exact(node.sim.now);
    const before = timeline.toShared(local);
    const outcome = timeline.handleReply(seq, t1, t2);
    const stepMs = timeline.toShared(local) - before;
    this.onReply?.({ trueMs: node.sim.now, outcome, stepMs, converged: timeline.state().converged });
  }
}
