import { expect } from '@open-wc/testing';
import { crossCorrelate } from '../../src/sync/calibration-fft.js';
import { locateProbe, ProbeVerdict, type ProbeLocation } from '../../src/sync/calibration-locate.js';
import { makeProbe, PROBE_RATE_HZ } from '../../src/sync/calibration-probe.js';
import { assembleRecording } from '../../src/sync/calibration-recording.js';
import { dropFrames, rms, simulateRecording, type SimSource } from '../sim/calibration-room.js';

const RATE = PROBE_RATE_HZ;
const PER_MS = RATE / 1000;
const probeA = makeProbe(11);
const probeB = makeProbe(12);
const PROBE_RMS = rms(probeA);
/** Where the probe would arrive with no delay at all (frames), and the search window. */
const EXPECTED = 0.4 * RATE;
const WINDOW = { searchBeforeMs: 50, searchAfterMs: 550 };
/** The next speaker's slot, 0.8 s later (calibration-plan.ts). */
const NEXT = 0.8 * RATE;
const FRAMES = Math.round(2.2 * RATE);

/** White-noise RMS giving `snrDb` against a probe heard at `gain`. */
const noiseFor = (gain: number, snrDb: number): number => gain * PROBE_RMS * 10 ** (-snrDb / 20);

function locate(recording: Float32Array, probe = probeA, expectedFrame = EXPECTED): ProbeLocation {
  return locateProbe({ recording, probe, rateHz: RATE, expectedFrame, ...WINDOW, noiseRms: rms(recording.subarray(0, 0.25 * RATE)) });
}

function room(sources: SimSource[], noiseRms: number, seed = 1, clipAt?: number): Float32Array {
  return simulateRecording({ rateHz: RATE, frames: FRAMES, sources, noiseRms, seed, ...(clipAt === undefined ? {} : { clipAt }) });
}

const errorMs = (location: ProbeLocation, arrivalFrame: number): number => Math.abs(location.arrivalFrame - arrivalFrame) / PER_MS;

describe('calibration probe', () => {
  it('is deterministic per seed, distinct across seeds, peak 1, band-limited', () => {
    expect(makeProbe(11)).to.equal(probeA);
    expect(Array.from(makeProbe(11).subarray(0, 50))).to.deep.equal(Array.from(probeA.subarray(0, 50)));
    expect(Math.max(...Array.from(probeA, Math.abs))).to.be.closeTo(1, 1e-6);
    // Cross-correlation of two codes is far below either's autocorrelation peak.
    const auto = crossCorrelate(probeA, probeA).real[0]!;
    const padded = new Float32Array(3 * probeA.length);
    padded.set(probeB, probeA.length);
    const cross = Math.max(...Array.from(crossCorrelate(padded, probeA).envelope));
    expect(cross / auto).to.be.below(0.1);
  });
});

describe('locateProbe', () => {
  it('finds fractional delays to within 0.005 ms without noise', () => {
    for (const delayFrames of [0, 0.25, 0.5, 13.7, 2400.31, 24_000.9]) {
      const arrival = EXPECTED + delayFrames;
      const found = locate(room([{ probe: probeA, arrivalFrame: arrival, gain: 0.2 }], 1e-6));
      expect(found.verdict, `delay ${delayFrames}`).to.equal(ProbeVerdict.ok);
      expect(errorMs(found, arrival), `delay ${delayFrames}`).to.be.below(0.005);
      expect(found.delayMs).to.be.closeTo(delayFrames / PER_MS, 0.005);
    }
  });

  it('stays within 0.05 ms at SNR 30, 20, 10 and 0 dB, with echoes, a reverberant tail and unequal gains', () => {
    for (const snrDb of [30, 20, 10, 0]) {
      for (let seed = 1; seed <= 4; seed++) {
        const arrivalA = EXPECTED + 5_000.37 * seed;
        const arrivalB = EXPECTED + NEXT + 97.6 * seed;
        const sources: SimSource[] = [
          { probe: probeA, arrivalFrame: arrivalA, gain: 0.05, echoes: [{ delayMs: 2.9, gain: 0.6 }, { delayMs: 7.3, gain: 0.4 }, { delayMs: 19, gain: 0.3 }], tail: { decayMs: 80, level: 0.4 } },
          { probe: probeB, arrivalFrame: arrivalB, gain: 0.4, echoes: [{ delayMs: 4.1, gain: 0.5 }] },
        ];
        const recording = room(sources, noiseFor(0.05, snrDb), seed);
        const a = locate(recording, probeA);
        const b = locate(recording, probeB, EXPECTED + NEXT);
        expect(a.verdict, `A at ${snrDb} dB, seed ${seed}`).to.equal(ProbeVerdict.ok);
        expect(b.verdict, `B at ${snrDb} dB, seed ${seed}`).to.equal(ProbeVerdict.ok);
        expect(errorMs(a, arrivalA), `A at ${snrDb} dB`).to.be.below(0.05);
        expect(errorMs(b, arrivalB), `B at ${snrDb} dB`).to.be.below(0.05);
      }
    }
  });

  it('picks the direct path even when a reflection is stronger', () => {
    const arrival = EXPECTED + 3_333.3;
    const found = locate(room([{ probe: probeA, arrivalFrame: arrival, gain: 0.1, echoes: [{ delayMs: 4, gain: 1.6 }] }], noiseFor(0.1, 20)));
    expect(found.verdict).to.equal(ProbeVerdict.ok);
    expect(errorMs(found, arrival)).to.be.below(0.05);
  });

  it('reports silence as not heard, a loud floor as too noisy, and never confuses another code', () => {
    expect(locate(room([], 1e-4)).verdict).to.equal(ProbeVerdict.notHeard);
    expect(locate(room([], 0.05)).verdict).to.equal(ProbeVerdict.tooNoisy);
    // Only speaker B's probe (far later than its own slot) is in A's window: A is not heard.
    const onlyB = locate(room([{ probe: probeB, arrivalFrame: EXPECTED + 1000, gain: 0.5 }], 1e-4), probeA);
    expect(onlyB.verdict).to.equal(ProbeVerdict.notHeard);
    expect(Number.isNaN(onlyB.arrivalFrame)).to.equal(true);
  });

  it('drowned at −30 dB SNR: not heard rather than a wrong answer', () => {
    const found = locate(room([{ probe: probeA, arrivalFrame: EXPECTED + 500, gain: 0.01 }], noiseFor(0.01, -30)));
    expect(found.verdict).to.not.equal(ProbeVerdict.ok);
  });

  it('refuses a clipped recording', () => {
    const found = locate(room([{ probe: probeA, arrivalFrame: EXPECTED + 500, gain: 1.5 }], 1e-4, 1, 1));
    expect(found.verdict).to.equal(ProbeVerdict.clipped);
  });

  it('calls two equal copies far apart ambiguous', () => {
    const found = locate(room([
      { probe: probeA, arrivalFrame: EXPECTED + 500, gain: 0.2 },
      { probe: probeA, arrivalFrame: EXPECTED + 500 + 200 * PER_MS, gain: 0.2 },
    ], 1e-4));
    expect(found.verdict).to.equal(ProbeVerdict.ambiguous);
  });

  it('frames lost inside the probe without timestamps: flagged, never a confident wrong answer', () => {
    const arrival = EXPECTED + 1_234.5;
    for (const [at, count] of [[0.5, 128], [0.3, 512], [0.7, 64], [0.55, 8]] as const) {
      const recording = dropFrames(room([{ probe: probeA, arrivalFrame: arrival, gain: 0.2 }], noiseFor(0.2, 30)), Math.round(arrival + at * probeA.length), count);
      const found = locate(recording);
      const wrong = found.verdict === ProbeVerdict.ok && errorMs(found, arrival) > 0.05;
      expect(wrong, `drop of ${count} at ${at}: ${found.verdict}, error ${errorMs(found, arrival)} ms`).to.equal(false);
      expect(found.verdict, `drop of ${count} at ${at}`).to.not.equal(ProbeVerdict.ok);
    }
  });

  it('frames lost with timestamps are placed by frame and the answer stays exact', () => {
    const arrival = EXPECTED + 7_000.25;
    const recording = room([{ probe: probeA, arrivalFrame: arrival, gain: 0.2, echoes: [{ delayMs: 5, gain: 0.4 }] }], noiseFor(0.2, 20));
    const blocks = [];
    for (let frame = 0; frame + 128 <= recording.length; frame += 128) blocks.push({ frame: 1_000_000 + frame, samples: recording.slice(frame, frame + 128) });
    // Lose three blocks before the probe and two inside it.
    const lost = new Set([100, 101, 102, Math.floor((arrival + 2000) / 128), Math.floor((arrival + 5000) / 128)]);
    const assembled = assembleRecording(blocks.filter((_, i) => !lost.has(i)));
    expect(assembled.firstFrame).to.equal(1_000_000);
    expect(assembled.missingFrames).to.equal(5 * 128);
    const found = locate(assembled.samples);
    expect(found.verdict).to.equal(ProbeVerdict.ok);
    expect(errorMs(found, arrival)).to.be.below(0.05);
  });

  it('reports the probe level and SNR', () => {
    const found = locate(room([{ probe: probeA, arrivalFrame: EXPECTED + 100, gain: 0.1 }], noiseFor(0.1, 20)));
    expect(found.snrDb).to.be.closeTo(20, 1.5);
    expect(found.levelDbfs).to.be.closeTo(20 * Math.log10(0.1 * PROBE_RMS), 1);
  });
});
