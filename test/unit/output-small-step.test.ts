import { expect } from '@open-wc/testing';
import { SmallStepWatch } from '../../src/sync/output-render-small-step.js';
import { maxAbsAfter, p95AbsAfter, simulate } from '../sim/output-timing-sim.js';

const OFF = { render: { smallStepMs: Number.POSITIVE_INFINITY } } as const;

/**
 * Small output steps (0.5–3 ms) that no underrun counter reports: the readings jump and the
 * frame counter's envelope moves with them (SmallStepWatch), so the render line shifts instead of
 * bending its rate to absorb them.
 */
describe('OutputTiming small steps', () => {
  it('shifts the line within a second when the output moves 1–2.5 ms uncounted, where the bent line stayed off for tens of seconds', () => {
    // bench:sync, 10 minutes: one speaker's output moved 1.6 ms later (the rendered audio), its
    // timestamps with it; its line bent (582 → 558 ppm), and it played 1.0 ms late for 6 s, then
    // 0.2 ms early for 40 s.
    const atMs = 30_000;
    for (const [moveMs, seed] of [[1.6, 71], [1, 72], [2.5, 73], [-1.2, 74]] as const) {
      const run = (timing: Parameters<typeof simulate>[0]['timing']) => simulate({ durationMs: 90_000, underruns: [atMs], underrunMs: moveMs, uncountedUnderruns: true, seed, timing });
      const on = run(undefined);
      const off = run(OFF);
      const d = on.timing.diagnostics();
      const summary = `${moveMs} ms, seed ${seed}: shifts ${d.renderShifts}, restarts ${d.renderRestarts}; |error| from 2 s after ≤ ${maxAbsAfter(on, atMs + 2_000).toFixed(3)} ms (without: ${maxAbsAfter(off, atMs + 2_000).toFixed(3)}), p95 from 2 s ${p95AbsAfter(on, atMs + 2_000).toFixed(3)} (${p95AbsAfter(off, atMs + 2_000).toFixed(3)})`;
      console.log(summary);
      expect(d.renderShifts, summary).to.equal(1);
      expect(d.renderRestarts, summary).to.equal(off.timing.diagnostics().renderRestarts);
      expect(p95AbsAfter(on, atMs + 2_000), summary).to.be.below(0.3);
      expect(maxAbsAfter(on, atMs + 2_000), summary).to.be.below(maxAbsAfter(off, atMs + 2_000) / 2);
      expect(off.timing.diagnostics().renderShifts, summary).to.equal(0);
    }
  });

  it('does not shift for readings that move alone, for a while or for good, nor without a move', () => {
    for (const seed of [81, 82, 83]) {
      const quiet = simulate({ durationMs: 120_000, seed });
      expect(quiet.timing.diagnostics().renderShifts, `seed ${seed}: no move`).to.equal(0);
      const wander = simulate({ durationMs: 90_000, seed, wander: [{ fromMs: 30_000, untilMs: 60_000, offsetMs: 1.5 }] });
      expect(wander.timing.diagnostics().renderShifts, `seed ${seed}: readings 1.5 ms off for 30 s, the output put`).to.equal(0);
    }
  });
});

describe('SmallStepWatch', () => {
  /** Feeds reports every 10 ms (one-sided jitter up to 0.4 ms) from 0 to `untilMs`, with the output moved by `moveMs` from `moveAtMs`, and readings every 250 ms by `reading(atMs)`. */
  function run(o: { moveAtMs: number; moveMs: number; untilMs: number; reading: (atMs: number) => number }): { deltaMs: number; atMs: number } | null {
    const watch = new SmallStepWatch({ smallStepMs: 0.5, stepMs: 3, smallStepAgreeMs: 0.3, smallStepConfirmMs: 750 });
    let seed = 7;
    const jitter = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed / 2 ** 32) * 0.4;
    };
    for (let atMs = 0; atMs <= o.untilMs; atMs += 10) {
      const r = (atMs >= o.moveAtMs ? o.moveMs : 0) + jitter();
      const step = watch.judge({ tMs: atMs, y: r, arrivalMs: atMs, r });
      if (step !== null) return { deltaMs: step.deltaMs, atMs };
      if (atMs % 250 === 0) watch.reading(o.reading(atMs), atMs);
    }
    return null;
  }

  it('confirms a jump of the readings that the reports follow, by the readings\' size', () => {
    const step = run({ moveAtMs: 5_005, moveMs: 1.6, untilMs: 10_000, reading: (atMs) => (atMs >= 5_005 ? 1.62 : 0.01) });
    expect(step?.deltaMs).to.equal(1.62);
    expect(step!.atMs - 5_005).to.be.within(750, 1_000);
  });

  it('ignores a jump the reports do not follow, one that comes back, and a slow drift', () => {
    expect(run({ moveAtMs: 5_005, moveMs: 0, untilMs: 10_000, reading: (atMs) => (atMs >= 5_005 ? 1.62 : 0) }), 'reports put').to.equal(null);
    expect(run({ moveAtMs: 5_005, moveMs: 1.6, untilMs: 10_000, reading: (atMs) => (atMs >= 5_005 && atMs < 5_300 ? 1.6 : 0) }), 'readings came back').to.equal(null);
    expect(run({ moveAtMs: 5_005, moveMs: 1.6, untilMs: 10_000, reading: (atMs) => atMs * 2e-4 }), 'readings drift').to.equal(null);
    expect(run({ moveAtMs: 5_005, moveMs: 4, untilMs: 10_000, reading: (atMs) => (atMs >= 5_005 ? 4 : 0) }), '3 ms and more: the step rules\'').to.equal(null);
  });
});
