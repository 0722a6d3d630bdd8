import type { Milliseconds } from '../../src/sync/units.js';
import { sampleDelay, type DirectionConfig } from './delay-model.js';
import { EventQueue } from './event-queue.js';
import { Rng } from './rng.js';
import { SimClock, type SimClockConfig } from './sim-clock.js';
import { StallSchedule, type StallConfig } from './stall-schedule.js';

/** Direction of a link: forward = follower → leader, backward = leader → follower. */
export const LinkDirection = { Forward: 'forward', Backward: 'backward' } as const;
export type LinkDirection = (typeof LinkDirection)[keyof typeof LinkDirection];

/** Counters of a link, for sanity checks. */
export interface LinkStats {
  sent: number;
  lost: number;
}

/**
 * A simulated network of tabs over true time: an {@link EventQueue}, tabs with their own clocks
 * and stalls, and links with independent per-direction delays (so reordering happens naturally).
 * Everything is drawn from one seeded {@link Rng}: a seed replays the same run.
 */
export class NetworkSim {
  readonly queue = new EventQueue();
  readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Current true time, ms. */
  get now(): Milliseconds {
    return this.queue.now;
  }

  /** A tab with a local clock and optional event-loop stalls. */
  node(clock: SimClockConfig, stalls: StallConfig | null = null): SimNode {
    return new SimNode(this, new SimClock(clock), new StallSchedule(new Rng(this.rng.int(0, 2 ** 31)), stalls));
  }

  /** A link between two tabs. */
  link(forward: DirectionConfig, backward: DirectionConfig): SimLink {
    return new SimLink(this, forward, backward);
  }

  /** Advance the simulation to true time `untilMs`. */
  runUntil(untilMs: Milliseconds): void {
    this.queue.runUntil(untilMs);
  }
}

/** A tab: its clock, and an event loop that stalls. */
export class SimNode {
  readonly sim: NetworkSim;
  readonly clock: SimClock;
  private readonly stalls: StallSchedule;
  /** A dead tab handles nothing (it closed or crashed). */
  alive = true;

  constructor(sim: NetworkSim, clock: SimClock, stalls: StallSchedule) {
    this.sim = sim;
    this.clock = clock;
    this.stalls = stalls;
  }

  /** The tab's local clock now (what performance.now() returns), ms. */
  localNow(): Milliseconds {
    return this.clock.read(this.sim.now);
  }

  /** Run `action` on this tab's event loop at true time `atMs` (later if stalled; never if dead). */
  runAt(atMs: Milliseconds, action: () => void): void {
    this.sim.queue.at(this.stalls.releaseAt(atMs), () => {
      if (this.alive) action();
    });
  }

  /** Run `action` on this tab's event loop after `delayMs` of true time. */
  runAfter(delayMs: Milliseconds, action: () => void): void {
    this.runAt(this.sim.now + Math.max(0, delayMs), action);
  }
}

/** A bidirectional link with independent per-direction delay models. */
export class SimLink {
  private readonly sim: NetworkSim;
  private readonly configs: Record<LinkDirection, DirectionConfig>;
  readonly stats: Record<LinkDirection, LinkStats> = {
    forward: { sent: 0, lost: 0 },
    backward: { sent: 0, lost: 0 },
  };
  /** A cut link loses everything. */
  cut = false;

  constructor(sim: NetworkSim, forward: DirectionConfig, backward: DirectionConfig) {
    this.sim = sim;
    this.configs = { forward, backward };
  }

  /** Send now in `direction`; `receiver` handles it on arrival. Returns the delay, or null if lost. */
  send(direction: LinkDirection, receiver: SimNode, onArrival: () => void): Milliseconds | null {
    const stats = this.stats[direction];
    stats.sent++;
    const delay = this.cut ? null : sampleDelay(this.sim.rng, this.configs[direction]);
    if (delay === null) {
      stats.lost++;
      return null;
    }
    receiver.runAfter(delay, onArrival);
    return delay;
  }
}
