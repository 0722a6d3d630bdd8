import { expect } from '@open-wc/testing';
import type { ClockSample } from '../../src/sync/envelope.js';
import { feasibleErrorBound } from '../../src/sync/feasible-bound.js';

/** A reply sent at local t0 with one-way delays `fwdMs`/`backMs` when θ = `thetaMs` (constant). */
const reply = (t0: number, thetaMs: number, fwdMs: number, backMs: number): ClockSample => ({
  t0,
  t1: t0 + fwdMs + thetaMs,
  t2: t0 + fwdMs + thetaMs,
  t3: t0 + fwdMs + backMs,
});
const line = (offsetMs: number, rate = 0): { refLocalMs: number; offsetMs: number; rate: number } => ({ refLocalMs: 0, offsetMs, rate });

describe('feasibleErrorBound', () => {
  it('is the distance to the farther end of a reply interval holding the estimate', () => {
    const s = reply(1_000, 50, 3, 1);
    expect(feasibleErrorBound([s], line(50), 0, s.t3, 16)).to.be.closeTo(3, 1e-9);
    expect(feasibleErrorBound([s], line(51), 0, s.t3, 16)).to.be.closeTo(2, 1e-9);
  });

  it('makes no claim when the estimate lies outside every interval', () => {
    const s = reply(1_000, 50, 3, 1);
    expect(feasibleErrorBound([s], line(53.5), 0, s.t3, 16)).to.equal(Number.POSITIVE_INFINITY);
    expect(feasibleErrorBound([], line(50), 0, 0, 16)).to.equal(Number.POSITIVE_INFINITY);
  });

  it('takes the tightest of the newest samples only', () => {
    const tight = reply(1_000, 50, 0.3, 0.3);
    const loose = [2_000, 3_000].map((t0) => reply(t0, 50, 20, 20));
    expect(feasibleErrorBound([tight, ...loose], line(50), 0, 3_100, 16)).to.be.closeTo(0.3, 1e-9);
    expect(feasibleErrorBound([tight, ...loose], line(50), 0, 3_100, 2)).to.be.closeTo(20, 1e-9);
  });

  it('carries intervals along the rate and widens them by the rate margin', () => {
    const rate = 100e-6;
    const s: ClockSample = { t0: 0, t1: 1 + 10, t2: 1 + 10, t3: 2 };
    // 10 s later θ has moved by 1 ms along the rate; the estimate follows it.
    const est = { refLocalMs: 0, offsetMs: 10, rate };
    expect(feasibleErrorBound([s], est, 0, 10_000, 16)).to.be.closeTo(1, 1e-3);
    expect(feasibleErrorBound([s], est, 20e-6, 10_000, 16)).to.be.closeTo(1 + 0.2, 1e-3);
  });
});
