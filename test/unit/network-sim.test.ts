import { expect } from '@open-wc/testing';
import { WIFI_BACKWARD, WIFI_FORWARD } from '../sim/clock-scenarios.js';
import { fixedDelay, sampleDelay } from '../sim/delay-model.js';
import { EventQueue } from '../sim/event-queue.js';
import { LinkDirection, NetworkSim } from '../sim/network-sim.js';
import { Rng } from '../sim/rng.js';
import { SimClock } from '../sim/sim-clock.js';
import { StallSchedule } from '../sim/stall-schedule.js';
import { percentile } from '../sim/stats.js';

describe('network simulator', () => {
  it('draws Wi-Fi delays in the specified ranges', () => {
    const rng = new Rng(7);
    const delays: number[] = [];
    let lost = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = sampleDelay(rng, WIFI_BACKWARD);
      if (d === null) lost++;
      else delays.push(d);
    }
    expect(Math.min(...delays)).to.be.at.least(WIFI_BACKWARD.baseMs);
    expect(lost / 20_000).to.be.within(0.007, 0.013);
    const spikes = delays.filter((d) => d > 50).length / delays.length;
    expect(spikes).to.be.within(0.01, 0.02);
    const normal = delays.filter((d) => d <= 50);
    expect(percentile(normal, 0.5)).to.be.within(1.3, 3);
    expect(Math.max(...normal)).to.be.within(12, 22);
  });

  it('gives the forward direction 20 % more jitter than the backward one', () => {
    const rng = new Rng(8);
    const jitter = (cfg: typeof WIFI_FORWARD): number => {
      const values: number[] = [];
      for (let i = 0; i < 20_000; i++) values.push((sampleDelay(rng, { ...cfg, spikeProb: 0, lossProb: 0 }) ?? 0) - cfg.baseMs);
      return percentile(values, 0.5);
    };
    expect(jitter(WIFI_FORWARD) / jitter(WIFI_BACKWARD)).to.be.within(1.1, 1.3);
  });

  it('is deterministic for a seed and reorders packets with independent delays', () => {
    const arrivals = (seed: number): number[] => {
      const sim = new NetworkSim(seed);
      const a = sim.node({ offsetMs: 0, skewPpm: 0 });
      const link = sim.link(WIFI_FORWARD, WIFI_BACKWARD);
      const order: number[] = [];
      for (let i = 0; i < 500; i++) sim.queue.at(i * 2, () => link.send(LinkDirection.Forward, a, () => order.push(i)));
      sim.runUntil(10_000);
      return order;
    };
    const first = arrivals(3);
    expect(arrivals(3)).to.deep.equal(first);
    expect(first.some((v, i) => i > 0 && v < first[i - 1])).to.equal(true);
    expect(first.length).to.be.within(480, 500);
  });

  it('keeps order and exact timing with a fixed delay, and a cut link loses everything', () => {
    const sim = new NetworkSim(1);
    const node = sim.node({ offsetMs: 0, skewPpm: 0 });
    const link = sim.link(fixedDelay(5), fixedDelay(5));
    const times: number[] = [];
    for (let i = 0; i < 10; i++) sim.queue.at(i, () => link.send(LinkDirection.Backward, node, () => times.push(sim.now)));
    sim.runUntil(100);
    expect(times).to.deep.equal([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    link.cut = true;
    expect(link.send(LinkDirection.Forward, node, () => undefined)).to.equal(null);
    expect(link.stats.forward.lost).to.equal(1);
  });

  it('runs events in time order, ties in insertion order', () => {
    const q = new EventQueue();
    const seen: string[] = [];
    q.at(5, () => seen.push('b'));
    q.at(1, () => seen.push('a'));
    q.at(5, () => seen.push('c'));
    q.at(3, () => q.after(2, () => seen.push('d')));
    q.runUntil(10);
    expect(seen).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(q.now).to.equal(10);
  });

  it('holds events during stalls until the stall ends', () => {
    const stalls = new StallSchedule(new Rng(2), { meanIntervalMs: 1_000, durationMs: 60 });
    let held = 0;
    for (let t = 0; t < 100_000; t += 1) {
      const release = stalls.releaseAt(t);
      expect(release - t).to.be.within(0, 60);
      if (release > t) held++;
    }
    expect(held / 100_000).to.be.within(0.04, 0.08);
  });

  it('models clock offset, skew, wander, jumps and resolution', () => {
    const clock = new SimClock({
      offsetMs: 3_600_000,
      skewPpm: 200,
      resolutionMs: 0.1,
      jumps: [{ atMs: 10_000, deltaMs: 500 }],
    });
    expect(clock.exact(1_000)).to.be.closeTo(3_600_000 + 1_000.2, 1e-9);
    expect(clock.read(1_000.03)).to.be.closeTo(3_601_000.2, 1e-6);
    expect(clock.exact(20_000) - clock.exact(9_999)).to.be.closeTo(10_001 * 1.0002 + 500, 1e-6);
    const wandering = new SimClock({ offsetMs: 0, skewPpm: 0, wanderPpm: 2, wanderPeriodMs: 600_000, wanderPhase: 0 });
    const t = 150_000;
    const numericRate = ((wandering.exact(t + 1) - wandering.exact(t - 1)) / 2 - 1) * 1e6;
    expect(numericRate).to.be.closeTo(wandering.ratePpmAt(t), 0.01);
    expect(wandering.ratePpmAt(t)).to.be.closeTo(2, 1e-9);
  });
});
