import { expect } from '@open-wc/testing';
import { DemoPartCutter } from '../../src/media/demo-track-parts.js';
import {
  DEMO_TRACK_ALBUM,
  DEMO_TRACK_ARTIST,
  DEMO_TRACK_DEFAULTS,
  DEMO_TRACK_TITLE,
  demoTrackFrameCount,
  generateDemoTrackChunks,
  renderDemoTrackWav,
  renderDemoTrackWavSteps,
} from '../../src/media/demo-track.js';
import { decodeWavPcm16, encodeWavPcm16, type DecodedWavPcm16 } from '../../src/media/wav.js';

/**
 * SHA-256 of the default demo track WAV (180 s, 44.1 kHz, seed DEMO_TRACK_DEFAULTS.seed). This IS
 * the demo track's content id: changing it changes every room's demo track id, so only update it
 * deliberately (any edit to src/media synthesis, score, mix or WAV writing will change it).
 */
const DEMO_TRACK_SHA256 = '67715e65125d6675df5f8263ff09021d3a8e47880eef60aff242069786f53dcf';
/** SHA-256 of the interleaved int16 samples of the first 10 s of the default track (localizes a change). */
const FIRST_10_SEC_PCM_SHA256 = '4b66e4fe76e424df29a681ae69a23595662d30622d0b187a12264309b863835a';

/** Largest periodicity the track may show in any analysed window; a 250 ms loop scores ≈ 1. */
const PERIODICITY_THRESHOLD = 0.9;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice().buffer));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** In-place iterative radix-2 FFT (length a power of two); the inverse is unscaled. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    for (let k = 0; k < len / 2; k++) {
      const cRe = Math.cos(angle * k);
      const cIm = Math.sin(angle * k);
      for (let i = k; i < n; i += len) {
        const b = i + len / 2;
        const tRe = re[b]! * cRe - im[b]! * cIm;
        const tIm = re[b]! * cIm + im[b]! * cRe;
        re[b] = re[i]! - tRe;
        im[b] = im[i]! - tIm;
        re[i] = re[i]! + tRe;
        im[i] = im[i]! + tIm;
      }
    }
  }
}

interface PeriodicityPeak {
  /** Largest normalized autocorrelation found. */
  readonly r: number;
  readonly lagFrames: number;
}

/**
 * Periodicity of `signal` in the window [start, start + windowFrames): the largest normalized
 * autocorrelation r(L) = Σ x[n]·x[n+L] / √(Σ x[n]² · Σ x[n+L]²) over lags minLag…maxLag
 * (n over the window), computed by FFT. A signal repeating with period P in range scores r(P) = 1.
 */
function maxAutocorrelation(signal: Float64Array, start: number, windowFrames: number, minLag: number, maxLag: number): PeriodicityPeak {
  const span = windowFrames + maxLag;
  let n = 1;
  while (n < span) n <<= 1;
  const aRe = new Float64Array(n);
  const aIm = new Float64Array(n);
  const bRe = new Float64Array(n);
  const bIm = new Float64Array(n);
  const energyPrefix = new Float64Array(span + 1);
  for (let i = 0; i < span; i++) {
    const v = signal[start + i]!;
    bRe[i] = v;
    if (i < windowFrames) aRe[i] = v;
    energyPrefix[i + 1] = energyPrefix[i]! + v * v;
  }
  const energyA = energyPrefix[windowFrames]!;
  fft(aRe, aIm, false);
  fft(bRe, bIm, false);
  for (let k = 0; k < n; k++) {
    const re = aRe[k]! * bRe[k]! + aIm[k]! * bIm[k]!;
    aIm[k] = aRe[k]! * bIm[k]! - aIm[k]! * bRe[k]!;
    aRe[k] = re;
  }
  fft(aRe, aIm, true);
  let best: PeriodicityPeak = { r: Number.NEGATIVE_INFINITY, lagFrames: 0 };
  for (let lag = minLag; lag <= maxLag; lag++) {
    const energyB = energyPrefix[lag + windowFrames]! - energyPrefix[lag]!;
    const r = aRe[lag]! / n / Math.sqrt(energyA * energyB);
    if (!(r <= best.r)) best = { r, lagFrames: lag };
  }
  return best;
}

/** Worst window of `signal` (windows of 0.5 s every `stepSec`, lags 2 ms … 500 ms). */
function worstPeriodicity(signal: Float64Array, sampleRateHz: number, stepSec: number): PeriodicityPeak & { startSec: number } {
  const windowFrames = Math.round(0.5 * sampleRateHz);
  const minLag = Math.round(0.002 * sampleRateHz);
  const maxLag = Math.round(0.5 * sampleRateHz);
  let worst = { r: Number.NEGATIVE_INFINITY, lagFrames: 0, startSec: 0 };
  for (let startSec = 0; Math.round((startSec + 1) * sampleRateHz) <= signal.length; startSec += stepSec) {
    const peak = maxAutocorrelation(signal, Math.round(startSec * sampleRateHz), windowFrames, minLag, maxLag);
    if (!(peak.r <= worst.r)) worst = { ...peak, startSec };
  }
  return worst;
}

function monoMix(wav: DecodedWavPcm16): Float64Array {
  const mono = new Float64Array(wav.frameCount);
  for (let i = 0; i < wav.frameCount; i++) mono[i] = (wav.pcm16[2 * i]! + wav.pcm16[2 * i + 1]!) / 65534;
  return mono;
}

function toDb(linear: number): number {
  return 20 * Math.log10(linear);
}

describe('demo track', () => {
  let fullBytes: Uint8Array;
  let full: DecodedWavPcm16;

  before(() => {
    const startMs = performance.now();
    fullBytes = renderDemoTrackWav();
    const renderMs = performance.now() - startMs;
    full = decodeWavPcm16(fullBytes);
    console.log(`demo track: rendered ${full.frameCount / full.sampleRateHz} s stereo in ${renderMs.toFixed(0)} ms (${fullBytes.length} bytes)`);
  });

  it('is a 16-bit stereo 44.1 kHz WAV of at least 180 s with title, artist and album tags', () => {
    expect(full.sampleRateHz).to.equal(44100);
    expect(full.channelCount).to.equal(2);
    expect(full.frameCount).to.equal(demoTrackFrameCount());
    expect(full.frameCount / full.sampleRateHz).to.be.at.least(180);
    expect(full.info).to.deep.equal({ title: DEMO_TRACK_TITLE, artist: DEMO_TRACK_ARTIST, album: DEMO_TRACK_ALBUM });
    expect([DEMO_TRACK_TITLE, DEMO_TRACK_ARTIST, DEMO_TRACK_ALBUM]).to.deep.equal(['Tutti Demo', 'Tutti', 'Built-in']);
  });

  it('matches the pinned SHA-256 (its content id) and first-10-s checksum', async () => {
    const first10Sec = full.pcm16.subarray(0, 10 * 44100 * 2);
    const first10SecBytes = new Uint8Array(first10Sec.buffer, first10Sec.byteOffset, first10Sec.byteLength);
    expect(await sha256Hex(first10SecBytes)).to.equal(FIRST_10_SEC_PCM_SHA256);
    expect(await sha256Hex(fullBytes)).to.equal(DEMO_TRACK_SHA256);
  });

  it('renders identical bytes every time, whatever the chunk size, and matches the chunk generator', () => {
    const options = { durationSec: 12 };
    const reference = renderDemoTrackWav(options);
    expect(renderDemoTrackWav({ ...options, chunkFrames: 777 })).to.deep.equal(reference);
    const chunks = [...generateDemoTrackChunks({ ...options, chunkFrames: 5000 })];
    const frameCount = demoTrackFrameCount(options);
    const left = new Float32Array(frameCount);
    const right = new Float32Array(frameCount);
    for (const chunk of chunks) {
      expect(chunk.totalFrames).to.equal(frameCount);
      left.set(chunk.left, chunk.startFrame);
      right.set(chunk.right, chunk.startFrame);
      for (const sample of chunk.left) expect(Number.isFinite(sample)).to.equal(true);
    }
    const info = { title: DEMO_TRACK_TITLE, artist: DEMO_TRACK_ARTIST, album: DEMO_TRACK_ALBUM };
    expect(encodeWavPcm16([left, right], 44100, info)).to.deep.equal(reference);
    expect(renderDemoTrackWav({ ...options, seed: DEMO_TRACK_DEFAULTS.seed + 1 })).not.to.deep.equal(reference);
  });

  it('renders from a position first (a late joiner plays it meanwhile), then the start, to the same bytes', () => {
    const options = { durationSec: 40 };
    const reference = renderDemoTrackWav(options);
    for (const firstSec of [0.003, 7.25, 21.5, 39.99]) {
      const steps = renderDemoTrackWavSteps(options, { firstSec });
      let step = steps.next();
      const firstFrame = step.done === true ? -1 : step.value.firstFrame;
      expect(firstFrame, `${firstSec} s rounded down to a whole 10 ms`).to.equal(Math.floor(firstSec * 100) * 441);
      let runEnd = firstFrame;
      for (; step.done !== true; step = steps.next()) {
        expect(step.value.runEndFrame).to.be.at.least(runEnd);
        runEnd = step.value.runEndFrame;
        // While the run grows, what it holds is already final.
        if (runEnd < step.value.totalFrames && runEnd - firstFrame > 44100) {
          const at = step.value.writer.byteOfFrame(runEnd - 1000);
          expect(step.value.writer.bytes.subarray(at, at + 64), `${firstSec} s: run bytes`).to.deep.equal(reference.subarray(at, at + 64));
        }
      }
      expect(step.value, `from ${firstSec} s`).to.deep.equal(reference);
    }
  });

  it('cuts growing parts from the position while it renders, each a WAV of the final samples', () => {
    const options = { durationSec: 40 };
    const reference = decodeWavPcm16(renderDemoTrackWav(options));
    const steps = renderDemoTrackWavSteps(options, { firstSec: 12.345 });
    const cutter = new DemoPartCutter();
    const parts: { startSec: number; endSec: number }[] = [];
    for (let step = steps.next(); step.done !== true; step = steps.next()) {
      const part = cutter.next(step.value);
      if (part === null) continue;
      parts.push({ startSec: part.startSec, endSec: part.endSec });
      const decoded = decodeWavPcm16(part.bytes);
      const first = Math.round(part.startSec * 44100);
      expect(decoded.frameCount).to.equal(Math.round(part.endSec * 44100) - first);
      for (const i of [0, decoded.frameCount >> 1, decoded.frameCount - 1]) {
        expect(decoded.pcm16[2 * i], `part from ${part.startSec} s, frame ${i}`).to.equal(reference.pcm16[2 * (first + i)]);
      }
    }
    expect(parts.map((p) => p.startSec)).to.deep.equal(parts.map(() => 12.34));
    expect(parts[0]!.endSec - 12.34).to.be.within(3, 4);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.endSec - parts[i - 1]!.endSec, 'each part grows by ≥ 5 s or doubles').to.be.at.least(i === parts.length - 1 ? 0 : 5);
    expect(parts.at(-1)!.endSec).to.equal(40);
    expect(parts.length).to.be.within(3, 6);
  });

  it('honours sampleRateHz and durationSec, reports progress, and rejects bad options', () => {
    const steps = renderDemoTrackWavSteps({ sampleRateHz: 22050, durationSec: 3, chunkFrames: 10000 });
    const progress: number[] = [];
    let step = steps.next();
    for (; step.done !== true; step = steps.next()) progress.push(step.value.renderedFrames);
    expect(progress).to.deep.equal([10000, 20000, 30000, 40000, 50000, 60000, 66150]);
    const decoded = decodeWavPcm16(step.value);
    expect(decoded.sampleRateHz).to.equal(22050);
    expect(decoded.frameCount).to.equal(66150);
    expect(() => renderDemoTrackWav({ sampleRateHz: 44100.5 })).to.throw(RangeError);
    expect(() => renderDemoTrackWav({ durationSec: 0 })).to.throw(RangeError);
    expect(() => renderDemoTrackWav({ chunkFrames: 0 })).to.throw(RangeError);
  });

  it('has sane levels: peak ≤ −1 dBFS, RMS in −24…−14 dBFS, no silent dropouts', () => {
    let peak = 0;
    let sumSquares = 0;
    let quietestWindowRms = Number.POSITIVE_INFINITY;
    const windowSamples = 2 * 22050;
    const fadeOutStart = full.pcm16.length - 2 * 4 * 44100;
    for (let start = 0; start + windowSamples <= fadeOutStart; start += windowSamples) {
      let windowSquares = 0;
      for (let i = start; i < start + windowSamples; i++) {
        const v = full.pcm16[i]! / 32767;
        peak = Math.max(peak, Math.abs(v));
        windowSquares += v * v;
      }
      sumSquares += windowSquares;
      quietestWindowRms = Math.min(quietestWindowRms, Math.sqrt(windowSquares / windowSamples));
    }
    const rmsDb = toDb(Math.sqrt(sumSquares / fadeOutStart));
    console.log(`demo track: peak ${toDb(peak).toFixed(2)} dBFS, RMS ${rmsDb.toFixed(2)} dBFS, quietest 0.5 s ${toDb(quietestWindowRms).toFixed(1)} dBFS`);
    expect(toDb(peak)).to.be.at.most(-1);
    expect(rmsDb).to.be.within(-24, -14);
    expect(toDb(quietestWindowRms)).to.be.above(-40);
  });

  it('is not periodic within any 0.5 s window (lags 2 ms … 500 ms, windows every 2.5 s)', () => {
    const worst = worstPeriodicity(monoMix(full), 44100, 2.5);
    console.log(`demo track: max autocorrelation ${worst.r.toFixed(3)} at ${worst.startSec} s, lag ${((worst.lagFrames / 44100) * 1000).toFixed(1)} ms`);
    expect(worst.r).to.be.below(PERIODICITY_THRESHOLD);
  });

  it('negative controls: a 250 ms loop of noise, and of the track itself, fail the periodicity check', () => {
    const periodFrames = 11025;
    const noiseLoop = new Float64Array(5 * 44100);
    let state = 12345;
    for (let i = 0; i < periodFrames; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      noiseLoop[i] = state / 2147483648 - 1;
    }
    for (let i = periodFrames; i < noiseLoop.length; i++) noiseLoop[i] = noiseLoop[i - periodFrames]!;
    const noiseWorst = worstPeriodicity(noiseLoop, 44100, 1.5);
    const track = monoMix(full);
    const trackLoop = new Float64Array(5 * 44100);
    const excerptStart = 60 * 44100;
    for (let i = 0; i < trackLoop.length; i++) trackLoop[i] = track[excerptStart + (i % periodFrames)]!;
    const trackLoopWorst = worstPeriodicity(trackLoop, 44100, 1.5);
    console.log(`controls: noise loop r=${noiseWorst.r.toFixed(3)}, track loop r=${trackLoopWorst.r.toFixed(3)}`);
    for (const worst of [noiseWorst, trackLoopWorst]) {
      expect(worst.r).to.be.at.least(PERIODICITY_THRESHOLD);
      expect(worst.lagFrames % periodFrames).to.equal(0);
    }
  });
});
