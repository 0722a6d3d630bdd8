import { expect } from '@open-wc/testing';
import { DEFAULT_FINE_LATENCY_OPTIONS, FineLatency, type ImpliedOf } from '../../src/sync/output-fine-latency.js';
import { Rng } from '../sim/rng.js';

/** Readings whose context time is their perf time: the implied latency is what the line adds. */
const line = (shiftMs: number): ImpliedOf => (ctxMs, perfMs) => perfMs - ctxMs - shiftMs;
const LATENCY_MS = 40;

/** Feeds readings every 250 ms from `fromMs` to `toMs` implying `gap(atMs)` above the latency. */
function feed(fine: FineLatency, fromMs: number, toMs: number, gap: (atMs: number) => number, impliedOf = line(0)): void {
  for (let atMs = fromMs; atMs <= toMs; atMs += 250) {
    fine.add({ ctxMs: atMs, perfMs: atMs + LATENCY_MS + gap(atMs), readAtMs: atMs }, LATENCY_MS, impliedOf);
  }
}

describe('FineLatency', () => {
  it('follows the median of agreeing readings below the latency, at the slew rate', () => {
    const fine = new FineLatency();
    const rng = new Rng(3);
    feed(fine, 0, 4_000, () => -0.4 + rng.normal(0, 0.1));
    expect(fine.offsetMs).to.equal(0); // span below minSpanMs: held
    feed(fine, 4_250, 6_000, () => -0.4 + rng.normal(0, 0.1));
    // Slewing from 5 s on at 0.1 ms/s: about −0.1 after 1 s.
    expect(fine.offsetMs).to.be.within(-0.15, -0.05);
    feed(fine, 6_250, 20_000, () => -0.4 + rng.normal(0, 0.1));
    expect(fine.offsetMs).to.be.within(-0.45, -0.35);
  });

  it('goes up at most maxUpMs (the ramp bug only makes readings late)', () => {
    const fine = new FineLatency();
    feed(fine, 0, 30_000, () => 1.3);
    expect(fine.offsetMs).to.be.closeTo(DEFAULT_FINE_LATENCY_OPTIONS.maxUpMs, 1e-9);
  });

  it('hands an offset held at its cap for a minute to the latency, and goes on from 0', () => {
    // bench:sync: a glitch left a latency ~0.8 ms low; the offset stood at its cap (then +0.5 ms) for 460 s.
    const fine = new FineLatency();
    const rng = new Rng(5);
    let latencyMs = LATENCY_MS;
    const absorbed: { atMs: number; deltaMs: number }[] = [];
    for (let atMs = 0; atMs <= 200_000; atMs += 250) {
      fine.add({ ctxMs: atMs, perfMs: atMs + LATENCY_MS + 1.3 + rng.normal(0, 0.05), readAtMs: atMs }, latencyMs, line(0));
      const deltaMs = fine.takeAbsorbable();
      if (deltaMs !== 0) absorbed.push({ atMs, deltaMs });
      latencyMs += deltaMs;
    }
    const { maxUpMs, absorbAfterMs, minSpanMs, slewMsPerSec } = DEFAULT_FINE_LATENCY_OPTIONS;
    expect(absorbed.length).to.equal(1);
    expect(absorbed[0]!.deltaMs).to.be.closeTo(maxUpMs, 1e-9);
    // The cap is reached once the window spans minSpanMs and the offset has slewed there.
    expect(absorbed[0]!.atMs).to.be.at.least(minSpanMs + (maxUpMs / slewMsPerSec) * 1000 + absorbAfterMs - 250);
    expect(latencyMs + fine.offsetMs - LATENCY_MS, 'the mapping follows the readings').to.be.closeTo(1.3, 0.05);
  });

  it('hands nothing to the latency while the readings\' level still moves (0.3 ms a minute)', () => {
    const fine = new FineLatency();
    let latencyMs = LATENCY_MS;
    for (let atMs = 0; atMs <= 240_000; atMs += 250) {
      fine.add({ ctxMs: atMs, perfMs: atMs + LATENCY_MS + 0.6 + 0.005 * (atMs / 1000), readAtMs: atMs }, latencyMs, line(0));
      latencyMs += fine.takeAbsorbable();
    }
    expect(latencyMs).to.equal(LATENCY_MS);
    expect(fine.offsetMs).to.be.closeTo(DEFAULT_FINE_LATENCY_OPTIONS.maxUpMs, 1e-9);
  });

  it('takes no upward offset from readings that rise faster than a ramp can be told from wander', () => {
    const fine = new FineLatency();
    const rng = new Rng(9);
    // 0.06 ms/s (a ramp) from −0.3 ms: still in the accepted band, and below maxUpMs for most of it.
    feed(fine, 0, 12_000, (atMs) => -0.3 + 0.06 * (atMs / 1000) + rng.normal(0, 0.03));
    expect(fine.offsetMs).to.be.at.most(0);
  });

  it('holds while readings in the window lie outside the band (the rules own them)', () => {
    const fine = new FineLatency();
    feed(fine, 0, 20_000, () => -0.5);
    expect(fine.offsetMs).to.be.closeTo(-0.5, 1e-9);
    feed(fine, 20_250, 40_000, () => 3);
    expect(fine.offsetMs).to.be.closeTo(-0.5, 1e-9);
  });

  it('holds its offset through a dip of the readings and their return (a rise, but no ramp)', () => {
    // bench:sync: readings 0.45 ms above the latency dipped 1 ms for 3 s; their return read as a
    // rise, the offset went from +0.46 to 0 and back, and the speaker played 0.45 ms late for 15 s.
    const fine = new FineLatency();
    const rng = new Rng(6);
    const offsets: number[] = [];
    for (let atMs = 0; atMs <= 60_000; atMs += 250) {
      const dip = atMs >= 30_000 && atMs < 33_000 ? -1 : 0;
      fine.add({ ctxMs: atMs, perfMs: atMs + LATENCY_MS + 0.45 + dip + rng.normal(0, 0.05), readAtMs: atMs }, LATENCY_MS, line(0));
      if (atMs >= 25_000) offsets.push(fine.offsetMs);
    }
    for (const offsetMs of offsets) expect(offsetMs).to.be.closeTo(0.45, 0.1);
  });

  it('follows readings on the edge of the tolerance, down to maxDownMs', () => {
    // bench:sync: readings 0.95 ms below, half of them rejected by the judge's 1 ms tolerance.
    const fine = new FineLatency();
    const rng = new Rng(4);
    feed(fine, 0, 30_000, () => -0.95 + rng.normal(0, 0.1));
    expect(fine.offsetMs).to.be.within(-1, -0.85);
    feed(fine, 30_250, 60_000, () => -1.6 + rng.normal(0, 0.1));
    expect(fine.offsetMs).to.be.closeTo(-DEFAULT_FINE_LATENCY_OPTIONS.maxDownMs, 1e-9);
  });

  it('judges readings against the current render line, not the one they were read on', () => {
    const fine = new FineLatency();
    feed(fine, 0, 20_000, () => 0);
    expect(fine.offsetMs).to.equal(0);
    // The line is refitted 0.3 ms later: the same readings now imply 0.3 ms less.
    feed(fine, 20_250, 30_000, () => 0, line(0.3));
    expect(fine.offsetMs).to.be.closeTo(-0.3, 1e-9);
  });

  it('holds through a render restart, and starts over when the latency is set', () => {
    const fine = new FineLatency();
    feed(fine, 0, 20_000, () => -0.5);
    fine.lineRestarted();
    feed(fine, 20_250, 22_000, () => 0);
    expect(fine.offsetMs).to.be.closeTo(-0.5, 1e-9);
    fine.latencySet();
    expect(fine.offsetMs).to.equal(0);
  });

  it('ignores non-finite input', () => {
    const fine = new FineLatency();
    fine.add({ ctxMs: Number.NaN, perfMs: 1, readAtMs: 1 }, LATENCY_MS, line(0));
    fine.add({ ctxMs: 1, perfMs: 1, readAtMs: 1 }, Number.NaN, line(0));
    feed(fine, 0, 20_000, () => -0.2);
    expect(fine.offsetMs).to.be.closeTo(-0.2, 1e-9);
  });
});
