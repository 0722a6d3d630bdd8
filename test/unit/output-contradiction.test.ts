import { expect } from '@open-wc/testing';
import { LatencyContradiction } from '../../src/sync/output-contradiction.js';

function judge(implied: readonly number[], latencyMs: number): boolean {
  const c = new LatencyContradiction({ readings: 4, contradictMs: 10 });
  for (const v of implied) c.add(v);
  return c.contradicts(latencyMs);
}

describe('LatencyContradiction', () => {
  it('needs four readings, their median more than 10 ms below the latency', () => {
    expect(judge([40, 40, 40], 60)).to.equal(false);
    expect(judge([40, 41, 39, 40], 60)).to.equal(true);
    expect(judge([52, 51, 53, 52], 60)).to.equal(false);
    // One wild reading does not make a contradiction, nor hide one.
    expect(judge([60, 60, 60, 10], 60)).to.equal(false);
    expect(judge([40, 40, 90, 40], 60)).to.equal(true);
  });

  it('takes readings above the latency for no contradiction (Chromium reads high under load)', () => {
    expect(judge([80, 85, 78, 84], 60)).to.equal(false);
  });

  it('keeps only the latest readings', () => {
    expect(judge([40, 40, 40, 40, 60, 60, 60, 60], 60)).to.equal(false);
  });

  it('tells the readings\' gap below a latency and their distance from one either way', () => {
    const c = new LatencyContradiction({ readings: 4, contradictMs: 10 });
    for (const v of [51, 51.5, 51.2, 90]) c.add(v);
    expect(c.gapBelowMs(54.6)).to.be.closeTo(3.25, 1e-9);
    expect(c.distanceMs(52)).to.be.closeTo(0.65, 1e-9);
    expect(c.distanceMs(50)).to.be.closeTo(1.35, 1e-9);
    expect(c.gapBelowMs(50)).to.equal(0);
    expect(new LatencyContradiction({ readings: 4, contradictMs: 10 }).distanceMs(50), 'too few readings').to.equal(0);
  });

  it('is never contradicted without a latency', () => {
    expect(judge([40, 40, 40, 40], Number.NaN)).to.equal(false);
  });
});
