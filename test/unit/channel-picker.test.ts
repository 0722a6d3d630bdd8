import { expect } from '@open-wc/testing';
import { ChannelPicker } from '../../src/audio/channel-picker.js';
import type { StereoChannel } from '../../src/sync/group-state.js';

const RATE = 8_000;
const FRAMES = 256;

/** Renders a constant source (one value per channel) through a picker set to `channel`; returns [left, right] of the last frame. */
async function render(values: number[], channel: StereoChannel): Promise<[number, number]> {
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: FRAMES, sampleRate: RATE });
  const buffer = ctx.createBuffer(values.length, FRAMES, RATE);
  values.forEach((v, c) => buffer.getChannelData(c).fill(v));
  const source = new AudioBufferSourceNode(ctx, { buffer });
  const bus = new GainNode(ctx);
  source.connect(bus);
  const picker = new ChannelPicker(ctx, bus, ctx.destination);
  picker.set('left');
  picker.set(channel);
  source.start();
  const out = await ctx.startRendering();
  picker.dispose();
  return [out.getChannelData(0)[FRAMES - 1]!, out.getChannelData(1)[FRAMES - 1]!];
}

describe('ChannelPicker (stereo pair halves, real Web Audio rendering)', () => {
  it('passes stereo through for both, and plays one side on both outputs for left or right', async () => {
    expect(await render([0.5, -0.25], 'both')).to.deep.equal([0.5, -0.25]);
    expect(await render([0.5, -0.25], 'left')).to.deep.equal([0.5, 0.5]);
    expect(await render([0.5, -0.25], 'right')).to.deep.equal([-0.25, -0.25]);
  });

  it('plays all of a mono track on either half', async () => {
    for (const channel of ['left', 'right'] as const) {
      const [l, r] = await render([0.4], channel);
      expect(l).to.be.closeTo(0.4, 1e-6);
      expect(r).to.be.closeTo(0.4, 1e-6);
    }
  });
});
