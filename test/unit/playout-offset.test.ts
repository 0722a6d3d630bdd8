import { expect } from '@open-wc/testing';
import { PlayoutOffset } from '../../src/sync/playout-offset.js';

describe('PlayoutOffset', () => {
  it('adds trim and correction, and says how far the total moved', () => {
    const offset = new PlayoutOffset(5);
    expect(offset.totalMs).to.equal(5);
    expect(offset.set(5, 2.5)).to.equal(2.5);
    expect(offset.totalMs).to.equal(7.5);
    expect(offset.set(6, 1.5), 'the split moved, the total did not').to.equal(0);
    expect([offset.trimMs, offset.correctionMs]).to.deep.equal([6, 1.5]);
  });

  it('ignores no-change and non-finite values', () => {
    const offset = new PlayoutOffset(1, 2);
    expect(offset.set(1, 2)).to.equal(null);
    expect(offset.set(Number.NaN, 0)).to.equal(null);
    expect(offset.set(0, Number.POSITIVE_INFINITY)).to.equal(null);
    expect(offset.totalMs).to.equal(3);
  });
});
