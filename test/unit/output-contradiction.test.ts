import { expect } from '@open-wc/testing';
import { LatencyContradiction } from '../../src/sync/output-contradiction.js';

function judge(implied: readonly number[], latencyMs: number, ageSec: number): boolean {
  const c = new LatencyContradiction({ readings: 4, contradictMs: 10, maxRampMsPerSec: 0.2 });
  for (const v of implied) c.add(v);
  return c.contradicts(latencyMs, ageSec);
}

describe('LatencyContradiction', () => {
  it('needs four readings, and their median more than 10 ms off', () => {
    expect(judge([40, 40, 40], 60, 5)).to.equal(false);
    expect(judge([40, 41, 39, 40], 60, 5)).to.equal(true);
    expect(judge([52, 51, 53, 52], 60, 5)).to.equal(false);
    // One wild reading does not make a contradiction, nor hide one.
    expect(judge([60, 60, 60, 10], 60, 5)).to.equal(false);
    expect(judge([40, 40, 90, 40], 60, 5)).to.equal(true);
  });

  it('keeps only the latest readings', () => {
    expect(judge([40, 40, 40, 40, 60, 60, 60, 60], 60, 5)).to.equal(false);
  });

  it('counts readings above the latency only beyond what the ramp bug explains since it was set', () => {
    expect(judge([80, 80, 80, 80], 60, 10)).to.equal(true);
    // 20 ms over 200 s is a ramp of 0.1 ms/s: Chromium's ramping readings, not a contradiction.
    expect(judge([80, 80, 80, 80], 60, 200)).to.equal(false);
    // Below is never a ramp.
    expect(judge([40, 40, 40, 40], 60, 200)).to.equal(true);
  });

  it('is never contradicted without a latency', () => {
    expect(judge([40, 40, 40, 40], Number.NaN, 5)).to.equal(false);
  });
});
