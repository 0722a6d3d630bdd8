import { expect } from '@open-wc/testing';
import { fetchHoldMs, JOIN_FETCH_HOLD } from '../../src/sync/join-fetch-hold.js';

describe('fetchHoldMs', () => {
  const { minRunwaySec, maxHoldMs, settledClockMs } = JOIN_FETCH_HOLD;

  it('holds while the clock is unsure and the part has runway, up to the runway margin', () => {
    expect(fetchHoldMs({ runwaySec: minRunwaySec + 0.8, clockUncertaintyMs: 4, heldForMs: 0 })).to.be.closeTo(800, 1e-9);
    expect(fetchHoldMs({ runwaySec: minRunwaySec + 10, clockUncertaintyMs: 4, heldForMs: 0 })).to.equal(maxHoldMs);
  });

  it('fetches once the clock settled, without a part, near the runway margin, or after the total bound', () => {
    expect(fetchHoldMs({ runwaySec: 5, clockUncertaintyMs: settledClockMs, heldForMs: 0 })).to.equal(0);
    expect(fetchHoldMs({ runwaySec: 0, clockUncertaintyMs: 4, heldForMs: 0 })).to.equal(0);
    expect(fetchHoldMs({ runwaySec: minRunwaySec, clockUncertaintyMs: 4, heldForMs: 0 })).to.equal(0);
    expect(fetchHoldMs({ runwaySec: 10, clockUncertaintyMs: 4, heldForMs: maxHoldMs - 300 })).to.be.closeTo(300, 1e-9);
    expect(fetchHoldMs({ runwaySec: 10, clockUncertaintyMs: 4, heldForMs: maxHoldMs + 1 })).to.equal(0);
    expect(fetchHoldMs({ runwaySec: Number.NaN, clockUncertaintyMs: Number.POSITIVE_INFINITY, heldForMs: 0 })).to.equal(0);
  });
});
