import { expect } from '@open-wc/testing';
import { SharedTimeline, TimelineRole, type SharedTimelineOptions } from '../../src/sync/shared-timeline.js';
import { WIFI_BACKWARD, WIFI_FORWARD } from '../sim/clock-scenarios.js';
import { runLeaderChange } from '../sim/leader-change-scenario.js';
import { summarizeAbs } from '../sim/stats.js';

/**
 * A follower and a leader with fixed clocks, driven by hand; one-way delays 0.4 ms each unless
 * `delays` is changed.
 */
function pair(leaderOffsetMs: number, options: Partial<SharedTimelineOptions> = {}) {
  let trueMs = 1_000;
  const delays = { forwardMs: 0.4, backwardMs: 0.4 };
  const leader = new SharedTimeline(() => trueMs + leaderOffsetMs);
  const follower = new SharedTimeline(() => trueMs, options);
  leader.becomeAuthority();
  const exchange = (): void => {
    const probe = follower.createProbe();
    if (probe === null) throw new Error('not following');
    trueMs += delays.forwardMs;
    const t1 = leader.stamp();
    trueMs += 0.05;
    const t2 = leader.stamp();
    trueMs += delays.backwardMs;
    follower.handleReply(probe.seq, t1, t2);
    trueMs += follower.nextProbeDelayMs();
  };
  return { leader, follower, exchange, delays, advance: (ms: number) => (trueMs += ms), now: () => trueMs };
}

describe('SharedTimeline', () => {
  it('is the identity of the local clock while unsynced', () => {
    let local = 123.5;
    const tl = new SharedTimeline(() => local);
    expect(tl.role).to.equal(TimelineRole.Unsynced);
    expect(tl.now()).to.equal(123.5);
    local = 200;
    expect(tl.toShared(50)).to.equal(50);
    expect(tl.toLocal(50)).to.equal(50);
    expect(tl.createProbe()).to.equal(null);
    expect(tl.nextProbeDelayMs()).to.equal(Number.POSITIVE_INFINITY);
    const s = tl.state();
    expect(s.converged).to.equal(false);
    expect(s.uncertaintyMs).to.equal(Number.POSITIVE_INFINITY);
  });

  it('as authority serves its frozen mapping and stamps shared time', () => {
    let local = 5_000;
    const tl = new SharedTimeline(() => local);
    tl.becomeAuthority();
    expect(tl.role).to.equal(TimelineRole.Authority);
    expect(tl.stamp()).to.equal(5_000);
    local = 6_000;
    expect(tl.now()).to.equal(6_000);
    expect(tl.state()).to.include({ converged: true, uncertaintyMs: 0, role: 'authority' });
    expect(tl.createProbe()).to.equal(null);
  });

  it('follows a leader: converges, maps both ways, and ignores unknown replies', () => {
    const { follower, exchange, now } = pair(3_600_000);
    follower.follow();
    expect(follower.role).to.equal(TimelineRole.Follower);
    for (let i = 0; i < 60; i++) exchange();
    const s = follower.state();
    expect(s.converged).to.equal(true);
    expect(follower.now() - (now() + 3_600_000)).to.be.closeTo(0, 1e-3);
    expect(follower.toLocal(follower.toShared(777.25))).to.be.closeTo(777.25, 1e-6);
    expect(follower.handleReply(123_456, 1, 2)).to.equal('ignored');
  });

  it('keeps serving its old mapping after follow() until the new estimate takes over, with a tiny step', () => {
    const { follower, leader, exchange, advance, now } = pair(250);
    follower.follow();
    for (let i = 0; i < 80; i++) exchange();
    advance(10_000);
    // The follower becomes authority, then follows the old leader again: no jump at any point.
    const before = follower.now();
    follower.becomeAuthority();
    expect(follower.now()).to.equal(before);
    follower.follow();
    expect(follower.now()).to.equal(before);
    expect(follower.state().converged).to.equal(false);
    let maxStep = 0;
    for (let i = 0; i < 200; i++) {
      const probeLocal = now();
      const before = follower.toShared(probeLocal);
      exchange();
      maxStep = Math.max(maxStep, Math.abs(follower.toShared(probeLocal) - before));
    }
    expect(maxStep).to.be.below(0.01);
    expect(follower.state().converged).to.equal(true);
    expect(Math.abs(follower.now() - leader.now())).to.be.below(0.01);
  });

  it('holds an unconverged but well-known estimate across a leader change (no step to the new leader\'s first replies)', () => {
    // An estimate that lost convergence (a burst of delayed replies) and sits at ~0.01–1 ms: a
    // threshold nothing reaches stands in for that.
    const { follower, leader, exchange, delays } = pair(250, { estimator: { convergedUncertaintyMs: 1e-9 } });
    follower.follow();
    for (let i = 0; i < 80; i++) exchange();
    const s = follower.state();
    expect(s.converged).to.equal(false);
    expect(s.uncertaintyMs).to.be.below(1);
    expect(Math.abs(follower.now() - leader.now())).to.be.below(0.01);
    // The new leader's path is asymmetric (its first estimates are 1.3 ms off): keep the old mapping.
    follower.follow();
    delays.forwardMs = 3;
    let maxErrorMs = 0;
    for (let i = 0; i < 40; i++) {
      exchange();
      maxErrorMs = Math.max(maxErrorMs, Math.abs(follower.now() - leader.now()));
    }
    expect(maxErrorMs).to.be.below(0.05);
  });

  it('holds its mapping when the new leader\'s first reply comes back late (a busy tab taking over), not 68 ms off', () => {
    // Seen in room.e2e: a follower's shared time stepped 68.48 ms at a failover. One reply whose
    // forward leg took 140 ms puts a one-sample estimate 70 ms off, past the "another timeline"
    // bound, although the held mapping lies well inside what that reply allows.
    const { follower, leader, exchange, delays } = pair(250);
    follower.follow();
    for (let i = 0; i < 80; i++) exchange();
    expect(follower.state().converged).to.equal(true);
    follower.follow();
    for (const forwardMs of [140, 90, 60, 0.4]) {
      delays.forwardMs = forwardMs;
      exchange();
      expect(Math.abs(follower.now() - leader.now()), `after a reply whose forward leg took ${forwardMs} ms`).to.be.below(0.05);
    }
  });

  it('a tab that led alone switches to another leader\'s timeline at its first estimates, before converging', () => {
    const { follower, leader, exchange } = pair(-7_000);
    follower.becomeAuthority();
    follower.follow();
    for (let i = 0; i < 3; i++) exchange();
    expect(follower.state().converged, 'still converging').to.equal(false);
    expect(Math.abs(follower.now() - leader.now()), 'not 7 s off while it converges').to.be.below(5);
  });

  it('survives a leader change without a jump > 1 ms (Wi-Fi, A leaves, B leads, C follows B)', () => {
    for (const seed of [21, 22]) {
      const r = runLeaderChange(
        {
          forward: WIFI_FORWARD,
          backward: WIFI_BACKWARD,
          processing: { minMs: 0.02, maxMs: 0.3 },
          failAtMs: 60_000,
          detectMs: 2_000,
          durationMs: 120_000,
          sampleEveryMs: 100,
        },
        seed,
      );
      expect(r.authorityStepMs).to.equal(0);
      expect(r.followStepMs).to.equal(0);
      expect(r.maxFollowerStepMs).to.be.below(1);
      expect(Math.abs(r.switchStepMs)).to.be.below(0.2);
      expect(r.reconvergedAfterMs).to.be.a('number');
      expect(summarizeAbs(r.errorsAfterMs).p95).to.be.below(0.2);
    }
  });
});
