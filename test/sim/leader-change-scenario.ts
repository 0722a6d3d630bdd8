import type { SharedTimelineOptions } from '../../src/sync/shared-timeline.js';
import type { Milliseconds } from '../../src/sync/units.js';
import type { DirectionConfig } from './delay-model.js';
import { NetworkSim } from './network-sim.js';
import { ProbeLoop, syncPeer, type ProcessingConfig, type ReplyEvent, type SyncPeer } from './probe-loop.js';
import { Rng } from './rng.js';
import { randomClock } from './clock-scenarios.js';

/**
 * Authority A with followers B and C; A disappears at `failAtMs`; `detectMs` later B calls
 * becomeAuthority() and C follow()s B. All links share one pair of direction configs.
 */
export interface LeaderChangeScenario {
  readonly forward: DirectionConfig;
  readonly backward: DirectionConfig;
  readonly processing: ProcessingConfig;
  readonly failAtMs: Milliseconds;
  /** Time for the app to notice A is gone and elect B, ms. */
  readonly detectMs: Milliseconds;
  readonly durationMs: Milliseconds;
  readonly sampleEveryMs: Milliseconds;
  readonly timeline?: Partial<SharedTimelineOptions>;
}

/** What the leader change did to the shared time. */
export interface LeaderChangeResult {
  /** Step of B's shared time at becomeAuthority(), ms (must be 0). */
  readonly authorityStepMs: Milliseconds;
  /** Step of C's shared time at follow(), ms (must be 0: it holds its mapping). */
  readonly followStepMs: Milliseconds;
  /** Largest |step| of C's shared time at any reply after C first converged (includes the switch), ms. */
  readonly maxFollowerStepMs: Milliseconds;
  /** Step of C's shared time when its estimate of B took over, ms; NaN if it never did. */
  readonly switchStepMs: Milliseconds;
  /** follow() → C's new estimate converged, ms; null if never. */
  readonly reconvergedAfterMs: Milliseconds | null;
  /** C's errors vs B's timeline after the switch, ms (signed). */
  readonly errorsAfterMs: readonly number[];
  /** B's frozen timeline minus A's (virtual) timeline at the end, ms: the room's drift. */
  readonly roomDriftMs: Milliseconds;
}

/** Run the leader change with randomness from `seed`. */
export function runLeaderChange(scenario: LeaderChangeScenario, seed: number): LeaderChangeResult {
  const sim = new NetworkSim(seed);
  const rng = new Rng(seed ^ 0xc10c);
  const peer = (): SyncPeer => syncPeer(sim.node(randomClock(rng, 200, 1)), scenario.timeline);
  const [a, b, c] = [peer(), peer(), peer()];
  const linkAB = sim.link(scenario.forward, scenario.backward);
  const linkAC = sim.link(scenario.forward, scenario.backward);
  const linkCB = sim.link(scenario.forward, scenario.backward);
  a.timeline.becomeAuthority();
  b.timeline.follow();
  c.timeline.follow();

  let cConverged = false;
  let switching = false;
  let maxFollowerStepMs = 0;
  let switchStepMs = Number.NaN;
  let switchAt: Milliseconds | null = null;
  const onC = (event: ReplyEvent): void => {
    if (cConverged) maxFollowerStepMs = Math.max(maxFollowerStepMs, Math.abs(event.stepMs));
    if (event.converged) cConverged = true;
    if (switching && event.converged) {
      switching = false;
      switchStepMs = event.stepMs;
      switchAt = event.trueMs;
    }
  };
  const loopB = new ProbeLoop(b, a, linkAB, scenario.processing);
  const loopC = new ProbeLoop(c, a, linkAC, scenario.processing, onC);
  loopB.start();
  loopC.start();

  const sharedAt = (p: SyncPeer): Milliseconds => p.timeline.toShared(p.node.clock.exact(sim.now));
  let authorityStepMs = Number.NaN;
  let followStepMs = Number.NaN;
  let followAt = 0;
  sim.queue.at(scenario.failAtMs, () => {
    a.node.alive = false;
    loopB.stop();
    loopC.stop();
  });
  sim.queue.at(scenario.failAtMs + scenario.detectMs, () => {
    const beforeB = sharedAt(b);
    b.timeline.becomeAuthority();
    authorityStepMs = sharedAt(b) - beforeB;
    const beforeC = sharedAt(c);
    c.timeline.follow();
    followStepMs = sharedAt(c) - beforeC;
    followAt = sim.now;
    switching = true;
    new ProbeLoop(c, b, linkCB, scenario.processing, onC).start();
  });
  const errorsAfterMs: number[] = [];
  const sample = (): void => {
    if (switchAt !== null) errorsAfterMs.push(sharedAt(c) - sharedAt(b));
    sim.queue.after(scenario.sampleEveryMs, sample);
  };
  sim.queue.at(scenario.sampleEveryMs, sample);
  sim.runUntil(scenario.durationMs);

  return {
    authorityStepMs,
    followStepMs,
    maxFollowerStepMs,
    switchStepMs,
    reconvergedAfterMs: switchAt === null ? null : switchAt - followAt,
    errorsAfterMs,
    roomDriftMs: sharedAt(b) - a.timeline.toShared(a.node.clock.exact(sim.now)),
  };
}
