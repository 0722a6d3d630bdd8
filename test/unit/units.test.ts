import { expect } from '@open-wc/testing';
import { msToSec, secToMs } from '../../src/sync/units.js';

describe('units', () => {
  it('converts between seconds and milliseconds', () => {
    expect(secToMs(1.5)).to.equal(1500);
    expect(msToSec(250)).to.equal(0.25);
  });
});
