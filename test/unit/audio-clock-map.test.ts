import { expect } from '@open-wc/testing';
import { AudioClockMap, ReadingVerdict } from '../../src/sync/audio-clock-map.js';
import { Rng } from '../sim/rng.js';

/** Readings of an audio clock running `ratePpm` fast, started at perf 2000 ms, ±jitter ms. */
function reader(ratePpm: number, jitterMs: number, seed = 1) {
  const rng = new Rng(seed);
  let suspendedMs = 0;
  const contextAt = (perfMs: number): number => ((perfMs - 2_000 - suspendedMs) * (1 + ratePpm * 1e-6)) / 1000;
  return {
    contextAt,
    reading: (perfMs: number, ageMs = 20) => ({
      contextTimeSec: contextAt(perfMs),
      performanceTimeMs: perfMs + rng.uniform(-jitterMs, jitterMs),
      readAtMs: perfMs + ageMs,
    }),
    suspend: (ms: number) => (suspendedMs += ms),
  };
}

describe('AudioClockMap', () => {
  it('is not ready and returns NaN without readings', () => {
    const map = new AudioClockMap();
    expect(map.ready).to.equal(false);
    expect(Number.isNaN(map.contextToPerfMs(1))).to.equal(true);
    expect(map.ratePpm).to.equal(0);
  });

  it('rejects stale readings (> 250 ms old, not advancing, not started)', () => {
    const map = new AudioClockMap();
    const r = reader(0, 0);
    expect(map.addReading(r.reading(3_000, 300))).to.equal(ReadingVerdict.Stale);
    expect(map.addReading(r.reading(3_000, 100))).to.equal(ReadingVerdict.Accepted);
    expect(map.addReading(r.reading(3_000, 150))).to.equal(ReadingVerdict.Stale);
    expect(map.addReading({ contextTimeSec: 0, performanceTimeMs: 0, readAtMs: 3_100 })).to.equal(ReadingVerdict.Stale);
  });

  it('tracks a 100 ppm audio clock and maps both ways', () => {
    const map = new AudioClockMap();
    const r = reader(100, 0.3, 4);
    for (let perf = 2_500; perf < 62_500; perf += 250) expect(map.addReading(r.reading(perf))).to.equal(ReadingVerdict.Accepted);
    expect(map.ready).to.equal(true);
    expect(map.ratePpm).to.be.closeTo(100, 10);
    const ctx = r.contextAt(62_700);
    expect(map.contextToPerfMs(ctx)).to.be.closeTo(62_700, 0.1);
    expect(map.perfMsToContext(map.contextToPerfMs(ctx))).to.be.closeTo(ctx, 1e-9);
  });

  it('rejects a reading that disagrees with the fit without moving it', () => {
    const map = new AudioClockMap();
    const r = reader(0, 0.2, 5);
    for (let perf = 2_500; perf < 10_000; perf += 250) map.addReading(r.reading(perf));
    const good = map.contextToPerfMs(r.contextAt(10_000));
    const bad = { ...r.reading(10_000), performanceTimeMs: 10_030 };
    expect(map.addReading(bad)).to.equal(ReadingVerdict.Outlier);
    expect(map.contextToPerfMs(r.contextAt(10_000))).to.equal(good);
    expect(map.addReading(r.reading(10_250))).to.equal(ReadingVerdict.Accepted);
  });

  it('resets after a discontinuity (suspend/resume) once the new readings agree', () => {
    const map = new AudioClockMap();
    const r = reader(0, 0.2, 6);
    for (let perf = 2_500; perf < 10_000; perf += 250) map.addReading(r.reading(perf));
    r.suspend(5_000);
    expect(map.addReading(r.reading(15_000))).to.equal(ReadingVerdict.Outlier);
    expect(map.addReading(r.reading(15_250))).to.equal(ReadingVerdict.Outlier);
    expect(map.addReading(r.reading(15_500))).to.equal(ReadingVerdict.Reset);
    expect(map.ready).to.equal(false);
    expect(map.addReading(r.reading(15_750))).to.equal(ReadingVerdict.Accepted);
    expect(map.ready).to.equal(true);
    expect(map.contextToPerfMs(r.contextAt(16_000))).to.be.closeTo(16_000, 0.5);
  });

  it('resets at once when context time goes backwards (a new context)', () => {
    const map = new AudioClockMap();
    const r = reader(0, 0, 7);
    for (let perf = 2_500; perf < 4_000; perf += 250) map.addReading(r.reading(perf));
    expect(map.addReading({ contextTimeSec: 0.1, performanceTimeMs: 4_100, readAtMs: 4_120 })).to.equal(ReadingVerdict.Reset);
    expect(map.contextToPerfMs(0.1)).to.be.closeTo(4_100, 1e-9);
  });
});
