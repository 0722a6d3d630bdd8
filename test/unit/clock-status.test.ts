import { expect } from '@open-wc/testing';
import { clockStatusText } from '../../src/components/clock-status.js';

describe('clockStatusText', () => {
  it('names the clock keeper, a converged clock with its ±, and a converging one with how well it is known so far', () => {
    expect(clockStatusText({ converged: false, uncertaintyMs: Number.POSITIVE_INFINITY }, true)).to.equal('this device keeps the clock');
    expect(clockStatusText({ converged: true, uncertaintyMs: 0.0421 }, false)).to.equal('clock in sync ± 0.042 ms');
    // A follower that lost convergence to a burst of delayed replies (seen in CI at ± 0.144 ms).
    expect(clockStatusText({ converged: false, uncertaintyMs: 0.144 }, false)).to.equal('syncing clock (± 0.144 ms so far)…');
    expect(clockStatusText({ converged: false, uncertaintyMs: Number.POSITIVE_INFINITY }, false)).to.equal('syncing clock…');
  });
});
