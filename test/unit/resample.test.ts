import { expect } from '@open-wc/testing';
import { makeProbe, PROBE_RATE_HZ } from '../../src/sync/calibration-probe.js';
import { HALF_TAPS, resample } from '../../src/sync/resample.js';
import { referenceResample } from '../sim/calibration-run.js';

const sine = (hz: number, rateHz: number, frames: number, phase = 0): Float32Array => Float32Array.from({ length: frames }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rateHz + phase));

/** Frame (fractional) where `probe` lies in `signal`: parabolic peak of the cross-correlation. */
function locate(signal: Float32Array, probe: Float32Array): number {
  const scores: number[] = [];
  for (let lag = 0; lag + probe.length <= signal.length; lag++) {
    let sum = 0;
    for (let i = 0; i < probe.length; i++) sum += signal[lag + i]! * probe[i]!;
    scores.push(sum);
  }
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  const [a, b, c] = [scores[best - 1]!, scores[best]!, scores[best + 1]!];
  return best + (0.5 * (a - c)) / (a - 2 * b + c);
}

describe('resample', () => {
  it('turns a 44.1 kHz sine into the same sine at 48 kHz (and back), away from the ends', () => {
    for (const hz of [1_000, 9_000, 15_000]) {
      const up = resample(sine(hz, 44_100, 4_410), 44_100, 48_000);
      expect(up.length).to.equal(4_800);
      const want = sine(hz, 48_000, 4_800);
      let worst = 0;
      for (let j = 2 * HALF_TAPS; j < up.length - 2 * HALF_TAPS; j++) worst = Math.max(worst, Math.abs(up[j]! - want[j]!));
      expect(worst, `${hz} Hz up`).to.be.below(2e-3);
      const down = resample(want, 48_000, 44_100);
      const back = sine(hz, 44_100, down.length);
      worst = 0;
      for (let j = 2 * HALF_TAPS; j < down.length - 2 * HALF_TAPS; j++) worst = Math.max(worst, Math.abs(down[j]! - back[j]!));
      expect(worst, `${hz} Hz down`).to.be.below(2e-3);
    }
  });

  it('keeps a probe where it was: 48 kHz → 44.1 kHz (the reference) → 48 kHz (the app) lands within 0.002 ms', () => {
    const probe = makeProbe(7);
    for (const atFrame of [300, 1_234]) {
      const placed = new Float32Array(probe.length + 3_000);
      placed.set(probe, atFrame);
      const there = referenceResample(placed, PROBE_RATE_HZ, 44_100);
      const back = resample(there, 44_100, PROBE_RATE_HZ);
      expect(Math.abs(locate(back, probe) - atFrame) / 48, `at ${atFrame}`).to.be.below(0.002);
    }
  });

  it('copies at equal rates and refuses a rate that is not positive', () => {
    const x = Float32Array.of(1, 2, 3);
    const y = resample(x, 48_000, 48_000);
    expect([...y]).to.deep.equal([1, 2, 3]);
    expect(y).to.not.equal(x);
    expect(() => resample(x, 0, 48_000)).to.throw(RangeError);
    expect(() => resample(x, 48_000, Number.NaN)).to.throw(RangeError);
  });
});
