import { expect } from '@open-wc/testing';
import { compareText } from '../../src/sync/text-order.js';

describe('compareText', () => {
  it('orders names case-insensitively, then exactly', () => {
    const names = ['den', 'Kitchen', 'bedroom', 'Den', 'attic', 'Bedroom 2'];
    expect([...names].sort(compareText)).to.deep.equal(['attic', 'bedroom', 'Bedroom 2', 'Den', 'den', 'Kitchen']);
  });

  it('is a total order: 0 only for equal strings, antisymmetric', () => {
    const words = ['a', 'A', 'b', 'B', 'ä', 'Ä', '', 'a b', 'ab', 'Zoë', 'zoe'];
    for (const a of words) {
      for (const b of words) {
        const ab = Math.sign(compareText(a, b));
        expect(ab === 0, `${a} vs ${b}`).to.equal(a === b);
        expect(Math.sign(compareText(b, a)), `${b} vs ${a}`).to.equal(-ab);
      }
    }
  });

  it('gives every device the same order, whatever its locale (no collator)', () => {
    expect(compareText('Zoë', 'zoe')).to.be.greaterThan(0);
    expect(compareText('item 10', 'item 9')).to.be.lessThan(0);
  });
});
