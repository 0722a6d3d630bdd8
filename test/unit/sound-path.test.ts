import { expect } from '@open-wc/testing';
import { soundPath } from '../../src/audio/sound-path.js';

const RATE_HZ = 48_000;
const CLICK_FRAME = 100;

/** Renders a one-frame click at CLICK_FRAME through `soundPath(…, delayMs)`; returns the frame it came out at. */
async function clickFrame(delayMs: number): Promise<number> {
  const context = new OfflineAudioContext(1, 4096, RATE_HZ);
  const click = context.createBuffer(1, CLICK_FRAME + 1, RATE_HZ);
  click.getChannelData(0)[CLICK_FRAME] = 1;
  const source = context.createBufferSource();
  source.buffer = click;
  source.connect(soundPath(context, delayMs));
  source.start(0);
  const rendered = (await context.startRendering()).getChannelData(0);
  let peak = 0;
  for (let i = 1; i < rendered.length; i++) if (Math.abs(rendered[i]!) > Math.abs(rendered[peak]!)) peak = i;
  expect(rendered[peak]).to.be.closeTo(1, 1e-6);
  return peak;
}

describe('soundPath (hidden output delay)', () => {
  it('goes straight to the destination without a delay', async () => {
    expect(await clickFrame(0)).to.equal(CLICK_FRAME);
  });

  it('delays the sound by exactly the hidden delay', async () => {
    expect(await clickFrame(2.5)).to.equal(CLICK_FRAME + 120);
    expect(await clickFrame(7.25)).to.equal(CLICK_FRAME + 348);
  });
});
