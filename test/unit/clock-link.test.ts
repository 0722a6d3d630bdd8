import { expect } from '@open-wc/testing';
import { ClockLink, PRIMER_SEQ_BASE, type LinkTimers } from '../../src/room/clock-link.js';
import type { RoomMessage } from '../../src/sync/protocol.js';
import { SharedTimeline } from '../../src/sync/shared-timeline.js';

/**
 * A leader and a follower ClockLink on one fake clock: timers and message deliveries are events
 * in true time, each message takes `oneWayMs`; `dropPings(n)` loses the follower's next n pings.
 */
function room(oneWayMs: number) {
  let nowMs = 1_000;
  const events: Array<{ atMs: number; order: number; run: () => void; cancelled: boolean }> = [];
  let order = 0;
  const at = (atMs: number, run: () => void) => {
    const event = { atMs, order: order++, run, cancelled: false };
    events.push(event);
    return event;
  };
  const timers: LinkTimers = {
    set: (callback, delayMs) => at(nowMs + delayMs, callback),
    clear: (handle) => {
      (handle as { cancelled: boolean }).cancelled = true;
    },
  };
  const pings: Array<{ atMs: number; primer: boolean }> = [];
  let pingsToDrop = 0;
  const leaderTimeline = new SharedTimeline(() => nowMs + 5_000);
  const followerTimeline = new SharedTimeline(() => nowMs);
  const toLeader = (message: RoomMessage): void => {
    if (message.type !== 'clock-ping') return;
    pings.push({ atMs: nowMs, primer: message.seq >= PRIMER_SEQ_BASE });
    if (pingsToDrop > 0) {
      pingsToDrop--;
      return;
    }
    at(nowMs + oneWayMs, () => leader.answer('F', message, leaderTimeline.stamp()));
  };
  const toFollower = (message: RoomMessage): void => {
    if (message.type === 'clock-pong') at(nowMs + oneWayMs, () => follower.receive('L', message));
  };
  const leader = new ClockLink(leaderTimeline, (_to, message) => toFollower(message), () => nowMs + 5_000, timers);
  const follower = new ClockLink(followerTimeline, (_to, message) => toLeader(message), () => nowMs, timers);
  leader.lead();
  const runUntil = (endMs: number): void => {
    for (;;) {
      events.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
      const next = events[0];
      if (next === undefined || next.atMs > endMs) break;
      events.shift();
      if (next.cancelled) continue;
      nowMs = next.atMs;
      next.run();
    }
    nowMs = endMs;
  };
  return {
    follower,
    followerTimeline,
    pings,
    runUntil,
    now: () => nowMs,
    dropPings: (n: number) => (pingsToDrop = n),
    pendingTimers: () => events.filter((e) => !e.cancelled).length,
  };
}

describe('ClockLink', () => {
  it('sends one primer per probe, spaced by the timeline\'s interval (no second probe 5 ms later)', () => {
    for (const oneWayMs of [0.5, 3, 12]) {
      const r = room(oneWayMs);
      r.follower.follow('L');
      r.runUntil(11_000);
      const primers = r.pings.filter((p) => p.primer);
      const probes = r.pings.filter((p) => !p.primer);
      expect(Math.abs(primers.length - probes.length), `one primer per probe at ${oneWayMs} ms`).to.be.at.most(1);
      // 36 burst probes at 25 ms, then one every 50 ms (converging or warming up): about 218 in 10 s.
      expect(probes.length, `probes in 10 s at ${oneWayMs} ms one way`).to.be.within(190, 225);
      const gapsMs = probes.slice(40).map((p, i) => p.atMs - probes[39 + i]!.atMs);
      expect(Math.min(...gapsMs), `shortest gap after the burst at ${oneWayMs} ms`).to.be.at.least(45);
      expect(r.followerTimeline.state().converged).to.equal(true);
    }
  });

  it('sends a lost primer again and stops probing when it stops following', () => {
    const r = room(1);
    r.dropPings(3);
    r.follower.follow('L');
    r.runUntil(1_700);
    const primers = r.pings.filter((p) => p.primer);
    expect(primers[1]!.atMs - primers[0]!.atMs).to.equal(200);
    expect(r.pings.some((p) => !p.primer), 'probing resumed after the lost primers').to.equal(true);
    r.follower.dispose();
    const sent = r.pings.length;
    r.runUntil(5_000);
    expect(r.pings.length).to.equal(sent);
    expect(r.pendingTimers()).to.equal(0);
  });
});
