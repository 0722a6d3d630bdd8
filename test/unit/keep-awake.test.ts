import { expect } from '@open-wc/testing';
import { KEEP_AWAKE_LEVEL, keepOutputAwake } from '../../src/audio/keep-awake.js';

describe('keepOutputAwake', () => {
  it('renders no exact zero (Chromium suspends silent outputs) and nothing audible', async () => {
    const context = new OfflineAudioContext({ numberOfChannels: 2, length: 48_000, sampleRate: 48_000 });
    keepOutputAwake(context);
    const rendered = await context.startRendering();
    for (let c = 0; c < rendered.numberOfChannels; c++) {
      const samples = rendered.getChannelData(c);
      expect(samples.every((s) => s !== 0), `channel ${c}: no exact zero`).to.equal(true);
      // −180 dBFS: the 24-bit step is 2^-23 ≈ 1.2e-7.
      expect(samples.every((s) => Math.abs(s) <= 2 * KEEP_AWAKE_LEVEL), `channel ${c}: inaudible`).to.equal(true);
    }
  });

  it('stops with disconnect()', async () => {
    const context = new OfflineAudioContext({ numberOfChannels: 1, length: 4_800, sampleRate: 48_000 });
    keepOutputAwake(context).disconnect();
    const rendered = await context.startRendering();
    expect(rendered.getChannelData(0).every((s) => s === 0)).to.equal(true);
  });
});
