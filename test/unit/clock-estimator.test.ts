import { expect } from '@open-wc/testing';
import { ClockEstimator } from '../../src/sync/clock-estimator.js';
import type { ClockSample } from '../../src/sync/envelope.js';
import { solveLeastSquares } from '../../src/sync/least-squares.js';
import { Rng } from '../sim/rng.js';

/** Samples of a link where θ(t) = offset + rate·t, one-way delays from `delay`. */
function samples(
  count: number,
  intervalMs: number,
  offsetMs: number,
  rate: number,
  delay: (i: number, direction: 'fwd' | 'back') => number,
  startMs = 10_000,
): ClockSample[] {
  const theta = (t: number): number => offsetMs + rate * t;
  return Array.from({ length: count }, (_, i) => {
    const t0 = startMs + i * intervalMs;
    const arrive = t0 + delay(i, 'fwd');
    const t1 = arrive + theta(arrive);
    const leave = arrive + 0.1;
    const t2 = leave + theta(leave);
    const t3 = leave + delay(i, 'back');
    return { t0, t1, t2, t3 };
  });
}

describe('least squares', () => {
  it('solves a line with a prior on the slope', () => {
    const obs = [0, 1, 2, 3].map((x) => ({ x: [1, x], y: 2 + 3 * x, weight: 1 }));
    const free = solveLeastSquares(2, obs);
    expect(free?.coef[0]).to.be.closeTo(2, 1e-9);
    expect(free?.coef[1]).to.be.closeTo(3, 1e-9);
    const pinned = solveLeastSquares(2, obs, [{ index: 1, mean: 0, sd: 1e-6 }]);
    expect(pinned?.coef[1]).to.be.closeTo(0, 1e-6);
    expect(solveLeastSquares(2, [{ x: [1, 1], y: 1, weight: 1 }])).to.equal(null);
  });
});

describe('ClockEstimator', () => {
  it('recovers offset and rate exactly from symmetric fixed delays, even hours apart', () => {
    const est = new ClockEstimator();
    const offset = -7_200_000.123;
    const rate = 180e-6;
    for (const s of samples(200, 100, offset, rate, () => 0.7)) est.add(s);
    const t = 40_000;
    expect(est.offsetAt(t) - (offset + rate * t)).to.be.closeTo(0, 1e-5);
    expect(est.mapping()?.rate).to.be.closeTo(rate, 1e-9);
    expect(est.converged).to.equal(true);
    expect(est.bestRttMs).to.be.closeTo(1.4, 1e-4);
  });

  it('ignores delay spikes and stalls through the envelope and outlier rejection', () => {
    const rng = new Rng(11);
    const est = new ClockEstimator();
    const delay = (): number => 1 + rng.exponential(0.5) + (rng.chance(0.05) ? rng.uniform(50, 100) : 0);
    const stalled = (i: number, d: 'fwd' | 'back'): number => (i >= 300 && i < 340 ? 60 : delay()) + (d === 'fwd' ? 0 : 0);
    for (const s of samples(1200, 100, 5_000, -120e-6, stalled)) est.add(s);
    const t = 10_000 + 1200 * 100;
    expect(Math.abs(est.offsetAt(t) - (5_000 - 120e-6 * t))).to.be.below(0.05);
    expect(est.mapping()?.rate ?? 0).to.be.closeTo(-120e-6, 2e-6);
  });

  it('keeps the rate near its prior while the span is short', () => {
    const rng = new Rng(12);
    const est = new ClockEstimator({}, 50e-6);
    for (const s of samples(4, 25, 0, 0, () => 1 + rng.exponential(1))) est.add(s);
    expect(Math.abs((est.mapping()?.rate ?? 1) - 50e-6)).to.be.below(300e-6);
    expect(est.converged).to.equal(false);
  });

  it('reports an uncertainty that is infinite without data, shrinks with data and grows with extrapolation', () => {
    const rng = new Rng(13);
    const est = new ClockEstimator();
    expect(est.uncertaintyAt(0)).to.equal(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(est.offsetAt(0))).to.equal(true);
    const all = samples(600, 100, 0, 0, () => 1 + rng.exponential(0.8));
    all.slice(0, 50).forEach((s) => est.add(s));
    const early = est.uncertaintyAt(all[49].t3);
    all.slice(50).forEach((s) => est.add(s));
    const late = est.uncertaintyAt(all[599].t3);
    expect(late).to.be.below(early);
    expect(est.uncertaintyAt(all[599].t3 + 600_000)).to.be.above(late);
  });

  it('does not claim to know more than one reply tells', () => {
    const est = new ClockEstimator();
    // One reply, 40 ms out and 8 ms back: it bounds θ to an interval 48 ms wide, and its midpoint is 16 ms off.
    const [s] = samples(1, 25, 3, 0, (_, d) => (d === 'fwd' ? 40 : 8));
    est.add(s!);
    expect(est.offsetAt(s!.t3) - 3).to.be.closeTo(16, 0.1);
    expect(est.uncertaintyAt(s!.t3)).to.be.closeTo(24, 0.2);
  });

  it('knows the offset within 1 ms from the first prompt reply after seconds of stalled ones', () => {
    // A joiner fetching a track on a busy machine: 3 s of replies 10–200 ms late each way, then
    // prompt ones: the fit leaves the late ones out, and the prompt ones' intervals bound the error.
    for (const seed of [21, 22, 23]) {
      const rng = new Rng(seed);
      const stalled = 120;
      const theta = (t: number): number => 2_000 + 30e-6 * t;
      const all = samples(stalled + 120, 25, 2_000, 30e-6, (i) => (i < stalled ? rng.uniform(10, 200) : 0.5 + rng.exponential(0.3)));
      const est = new ClockEstimator();
      all.slice(0, stalled).forEach((s) => est.add(s));
      expect(est.uncertaintyAt(all[stalled - 1]!.t3)).to.be.above(1);
      for (const s of all.slice(stalled)) {
        est.add(s);
        const u = est.uncertaintyAt(s.t3);
        expect(u, `seed ${seed}`).to.be.below(1);
        expect(Math.abs(est.offsetAt(s.t3) - theta(s.t3)), `seed ${seed}`).to.be.below(0.5);
      }
    }
  });

  it('converges on the prompt replies that follow seconds of stalled ones', () => {
    // Fitted alike, 3 s of replies 10–200 ms late each way kept the fit's own uncertainty above
    // 1 ms for the next 3 s of prompt replies, and dragged its rate.
    for (const seed of [31, 32, 33]) {
      const rng = new Rng(seed);
      const stalled = 120;
      const rate = 30e-6;
      const all = samples(stalled + 60, 25, 2_000, rate, (i) => (i < stalled ? rng.uniform(10, 200) : 0.5 + rng.exponential(0.3)));
      const est = new ClockEstimator();
      all.forEach((s) => est.add(s));
      const last = all.at(-1)!;
      expect(est.converged, `seed ${seed}`).to.equal(true);
      expect(Math.abs(est.offsetAt(last.t3) - (2_000 + rate * last.t3)), `seed ${seed}`).to.be.below(0.1);
      expect(Math.abs(est.mapping()!.rate - rate), `seed ${seed}`).to.be.below(50e-6);
    }
  });

  it('forgets samples outside the window and resets', () => {
    const est = new ClockEstimator({ windowMs: 10_000 });
    for (const s of samples(300, 100, 1, 0, () => 1)) est.add(s);
    expect(est.sampleCount).to.be.within(100, 102);
    est.reset(0);
    expect(est.sampleCount).to.equal(0);
    expect(est.converged).to.equal(false);
    expect(est.mapping()).to.equal(null);
  });

  it('splits a constant path asymmetry in half (it is unobservable)', () => {
    const est = new ClockEstimator();
    for (const s of samples(300, 100, 0, 0, (_, d) => (d === 'fwd' ? 0.45 : 0.25))) est.add(s);
    expect(est.offsetAt(30_000)).to.be.closeTo(0.1, 1e-6);
  });
});
