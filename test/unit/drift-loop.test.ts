import { expect } from '@open-wc/testing';
import { DriftLoop, GROSS_ERROR_MS } from '../../src/audio/drift-loop.js';
import { chooseRateSeed, NO_RATE, type RateEstimate } from '../../src/sync/rate-seed.js';

describe('DriftLoop', () => {
  it('re-schedules at once on a gross error it knows well, and again on the next one a second later', () => {
    const loop = new DriftLoop(0.05);
    loop.restartAt(0);
    // The late joiner of bench:sync: 90 ms late, re-scheduled; then its latency was found 68 ms off.
    expect(loop.step({ atSharedMs: 10_000, errorMs: 90, uncertaintyMs: 1 })).to.equal(true);
    loop.restartAt(1);
    expect(loop.step({ atSharedMs: 10_500, errorMs: -69, uncertaintyMs: 2 }), 'within the rate limit').to.equal(false);
    expect(loop.step({ atSharedMs: 11_000, errorMs: -69, uncertaintyMs: 2 }), '1 s later').to.equal(true);
  });

  it('re-schedules on a 15 ms error known to ±3 ms (too vague for the policy), not on 8 ms', () => {
    const loop = new DriftLoop(0.05);
    loop.restartAt(0);
    expect(loop.step({ atSharedMs: 5_000, errorMs: -8, uncertaintyMs: 1.5 })).to.equal(false);
    expect(loop.step({ atSharedMs: 5_500, errorMs: -15, uncertaintyMs: 3 })).to.equal(true);
  });

  it('re-schedules on a 6.8 ms error known to ±3 ms once five estimates in a row agree on it', () => {
    // bench:sync: a glitch moved a speaker 7 ms late; its estimates said 6.6–6.8 ± 3 ms for 12 s.
    const run = (errors: readonly number[], uncertaintyMs: number): boolean[] => {
      const loop = new DriftLoop(0.05);
      loop.restartAt(0);
      return errors.map((errorMs, i) => loop.step({ atSharedMs: 10_000 + 200 * i, errorMs, uncertaintyMs }));
    };
    expect(run([6.82, 6.66, 6.59, 6.73, 6.63], 3)).to.deep.equal([false, false, false, false, true]);
    expect(run([3.5, 9.5, 6.6, 4.2, 8.9], 3), 'estimates that disagree').to.deep.equal([false, false, false, false, false]);
    expect(run([6.82, 6.66, 6.59, 6.73, 6.63], 3.5), 'known worse than half of it').to.deep.equal([false, false, false, false, false]);
    expect(run([3.9, 3.8, 3.9, 3.8, 3.9], 2.5), 'under 4 ms').to.deep.equal([false, false, false, false, false]);
  });

  it('moves its recent estimates with a known move of the error (a new output latency): no wait for five new ones', () => {
    const run = (movedMs: number): boolean[] => {
      const loop = new DriftLoop(0.05);
      loop.restartAt(0);
      const out = [0.12, 0.08, 0.1, 0.11].map((errorMs, i) => loop.step({ atSharedMs: 10_000 + 200 * i, errorMs, uncertaintyMs: 3 }));
      const before = loop.diagnostics().driftErrorEstimateMs as number;
      loop.errorMoved(movedMs);
      expect((loop.diagnostics().driftErrorEstimateMs as number) - before).to.be.closeTo(movedMs, 1e-9);
      return [...out, loop.step({ atSharedMs: 10_800, errorMs: 6.7, uncertaintyMs: 3 })];
    };
    expect(run(6.6), 'told of the 6.6 ms move').to.deep.equal([false, false, false, false, true]);
    expect(run(0), 'not told').to.deep.equal([false, false, false, false, false]);
  });

  it('leaves a gross error it knows only vaguely to the policy (no re-schedule on a guess)', () => {
    const loop = new DriftLoop(0.05);
    loop.restartAt(0);
    expect(loop.step({ atSharedMs: 10_000, errorMs: GROSS_ERROR_MS * 1.2, uncertaintyMs: GROSS_ERROR_MS * 0.5 })).to.equal(false);
  });

  it('keeps the learned rate through a gross re-schedule when the next voice brings no better rate hint', () => {
    const learnedAfterGross = (hint: RateEstimate): number => {
      const loop = new DriftLoop(0.05);
      loop.restartAt(0, { ppm: 200, sdPpm: 5 });
      expect(loop.diagnostics()['learnedRatePpm']).to.equal(200);
      expect(loop.step({ atSharedMs: 10_000, errorMs: 60, uncertaintyMs: 3 })).to.equal(true);
      loop.restartAt(10, hint);
      return loop.diagnostics()['learnedRatePpm'] as number;
    };
    // No hint (a render line too young to measure a rate): the rate learned before.
    expect(learnedAfterGross(NO_RATE)).to.equal(200);
    // A well-measured hint wins; so does a loosely measured one known better than the policy's seed.
    expect(learnedAfterGross({ ppm: 150, sdPpm: 10 })).to.equal(150);
    expect(learnedAfterGross({ ppm: 150, sdPpm: 100 })).to.equal(150);
    // A new plan forgets it.
    const loop = new DriftLoop(0.05);
    loop.restartAt(0, { ppm: 200, sdPpm: 5 });
    loop.reset();
    loop.restartAt(1);
    expect(loop.diagnostics()['learnedRatePpm']).to.equal(0);
  });
});

describe('DriftLoop late seed', () => {
  it('seeds a voice that started without a known rate once the hint is known, unless the policy learned better', () => {
    // bench:sync: the render line restarted 2 s before the press; the voice started at 0 against
    // −700 ppm needed, with estimates too vague (±1.5–5 ms) for the policy to learn from.
    const loop = new DriftLoop(0.05);
    loop.restartAt(0, { ppm: -650, sdPpm: 900 });
    expect(loop.ratePpm, 'unseeded').to.equal(0);
    loop.step({ atSharedMs: 1_000, errorMs: -0.7, uncertaintyMs: 3 }, { ppm: -690, sdPpm: 400 });
    expect(loop.ratePpm, 'a hint still too vague').to.equal(0);
    loop.step({ atSharedMs: 2_000, errorMs: -1.4, uncertaintyMs: 3 }, { ppm: -714, sdPpm: 120 });
    expect(loop.ratePpm).to.be.closeTo(-714, 0.5);
    loop.step({ atSharedMs: 3_000, errorMs: -1.4, uncertaintyMs: 3 }, { ppm: -300, sdPpm: 20 });
    expect(loop.ratePpm, 'seeded once').to.be.closeTo(-714, 0.5);

    // A seeded voice keeps its seed; a policy that learned the rate from its estimates keeps it.
    const seeded = new DriftLoop(0.05);
    seeded.restartAt(0, { ppm: -700, sdPpm: 10 });
    seeded.step({ atSharedMs: 1_000, errorMs: 0, uncertaintyMs: 0.1 }, { ppm: -300, sdPpm: 5 });
    expect(seeded.ratePpm).to.be.closeTo(-700, 0.5);
    const learned = new DriftLoop(0.05);
    learned.restartAt(0);
    // 200 ppm needed: the error grows by the rate not applied; 10 s of precise estimates teach the policy.
    let errorMs = 0;
    for (let i = 1; i <= 50; i++) {
      errorMs += (200 - learned.ratePpm) * 1e-6 * 200;
      learned.step({ atSharedMs: i * 200, errorMs, uncertaintyMs: 0.02 });
    }
    const sdPpm = learned.diagnostics()['learnedRateSdPpm'] as number;
    expect(sdPpm).to.be.below(100);
    learned.step({ atSharedMs: 10_200, errorMs, uncertaintyMs: 0.02 }, { ppm: -500, sdPpm: sdPpm * 1.5 });
    expect(learned.diagnostics()['learnedRatePpm'] as number, 'a worse-known hint is not taken').to.be.closeTo(200, 60);
  });
});

describe('chooseRateSeed', () => {
  it('takes a trusted hint, else the better known estimate within the prior, else none', () => {
    // bench:sync: a re-schedule with the render line's rate known to ~100 ppm and nothing learned
    // started at 0 against a needed −700 ppm.
    expect(chooseRateSeed({ ppm: -680, sdPpm: 100 }, { ppm: -13, sdPpm: 310 }, 300)).to.equal(-680);
    expect(chooseRateSeed({ ppm: -680, sdPpm: 15 }, { ppm: -700, sdPpm: 2 }, 300), 'a trusted hint wins').to.equal(-680);
    expect(chooseRateSeed({ ppm: -680, sdPpm: 100 }, { ppm: -700, sdPpm: 8 }, 300), 'a well learned rate wins a loose hint').to.equal(-700);
    expect(Number.isNaN(chooseRateSeed({ ppm: -680, sdPpm: 400 }, NO_RATE, 300))).to.equal(true);
    expect(Number.isNaN(chooseRateSeed({ ppm: Number.NaN, sdPpm: 5 }, NO_RATE, 300))).to.equal(true);
  });
});
