import { expect } from '@open-wc/testing';
import { SampleSlipper } from '../../src/audio/sample-slipper.js';
import { SourceVoice } from '../../src/audio/source-voice.js';

const SR = 48_000;
/** The test track's sample i holds i / RAMP_SCALE: the rendered value says which sample sounds. */
const RAMP_SCALE = 2 ** 18;
const LEAD_SEC = 0.04;

/**
 * Renders `seconds` of a ramp track started at 0, with `slipper` corrected at `ratePpm` and applied
 * every `callEveryMs` (as the engine's slip timer does). Returns the rendered frames as ramp
 * indices, and what `positionAt` said at a few context times (as track frames).
 */
async function renderSlipped(ratePpm: number, callEveryMs: number, seconds: number): Promise<{ index: Float64Array; said: { frame: number; positionFrames: number }[]; slipper: SampleSlipper }> {
  const frames = Math.round(seconds * SR);
  const ctx = new OfflineAudioContext(1, frames, SR);
  const track = ctx.createBuffer(1, frames + SR, SR);
  const data = track.getChannelData(0);
  for (let i = 0; i < data.length; i++) data[i] = i / RAMP_SCALE;
  const audio = { buffer: track, startSec: 0, trackDurationSec: track.duration };
  const slipper = new SampleSlipper(LEAD_SEC);
  let voice = new SourceVoice(ctx, ctx.destination, { audio, whenSec: 0, offsetSec: 0, rate: 1, fadeInSec: 0 });
  slipper.setRate(ratePpm);
  slipper.restartAt(0);
  const said: { frame: number; positionFrames: number }[] = [];
  for (let nowMs = callEveryMs; nowMs < seconds * 1000 - 100; nowMs += callEveryMs) {
    // The engine measures between slip calls: ask where the audio is now (a slip may be pending).
    const frame = Math.round((nowMs / 1000) * SR) + 7;
    said.push({ frame, positionFrames: slipper.positionAt(voice, frame / SR) * SR });
    voice = slipper.apply(voice, ctx.destination, nowMs / 1000);
  }
  const rendered = (await ctx.startRendering()).getChannelData(0);
  return { index: Float64Array.from(rendered, (v) => v * RAMP_SCALE), said, slipper };
}

describe('SampleSlipper', () => {
  it('realises 700 ppm by slips of a sample or two, keeping the audio within 3 samples of the continuous rate', async () => {
    // bench:sync's speakers needed −700 ppm; slipping once per 200 ms drift tick made 6–7-sample jumps.
    for (const ratePpm of [700, -700]) {
      const { index, slipper } = await renderSlipped(ratePpm, 10, 3);
      const deviations: number[] = [];
      for (let f = SR / 2; f < index.length - SR / 4; f++) deviations.push(index[f]! - f * (1 + ratePpm * 1e-6));
      const spread = Math.max(...deviations) - Math.min(...deviations);
      const { slips, slippedSamples } = slipper.counts;
      expect(Math.sign(slippedSamples), `${ratePpm} ppm: direction`).to.equal(Math.sign(ratePpm));
      expect(Math.abs(slippedSamples), `${ratePpm} ppm: samples slipped in ~3 s`).to.be.closeTo(Math.abs(ratePpm) * 1e-6 * SR * 2.9, 6);
      expect(Math.abs(slippedSamples) / slips, `${ratePpm} ppm: mean slip, samples`).to.be.at.most(2);
      expect(spread, `${ratePpm} ppm: spread of rendered − continuous, samples`).to.be.below(3);
      // Each frame is the ramp, or a crossfade between neighbours a slip apart: never a doubled voice.
      let worstStep = 0;
      for (let f = 1; f < index.length - SR / 4; f++) worstStep = Math.max(worstStep, Math.abs(index[f]! - index[f - 1]! - 1));
      expect(worstStep, `${ratePpm} ppm: worst frame-to-frame step − 1, samples`).to.be.below(0.05);
    }
  });

  it('says where the audible voice is while a slip is pending, to the sample', async () => {
    const { index, said } = await renderSlipped(-700, 10, 2);
    const errors = said.filter((s) => s.frame < index.length - 1).map((s) => Math.abs(s.positionFrames - index[s.frame]!)).sort((a, b) => a - b);
    // A slip is pending most of the time at 700 ppm; the newest voice's playhead would be a sample or
    // two off then. Within a slip's one-quantum crossfade the audio is between the two: up to a slip.
    expect(errors[Math.floor(errors.length / 2)], 'median, samples').to.be.below(0.1);
    expect(errors.at(-1), 'max, samples').to.be.below(2.05);
  });

  it('owes what it cannot slip while a slip is pending, and slips it next', async () => {
    // Called every 1 ms: most calls find the previous slip still ahead, yet nothing is lost.
    const { slipper } = await renderSlipped(700, 1, 2);
    const { slips, slippedSamples } = slipper.counts;
    expect(slippedSamples).to.be.closeTo(700e-6 * SR * 1.9, 4);
    expect(slips).to.be.below(1.9 / LEAD_SEC + 2);
  });
});
