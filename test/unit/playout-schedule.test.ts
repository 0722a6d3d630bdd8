import { expect } from '@open-wc/testing';
import {
  correctionRatePpm,
  expectedPositionSec,
  planStart,
  playoutErrorMs,
  positionToRenderAtSec,
  renderTimeSec,
  sharedTimeAtPositionMs,
  type ScheduleClock,
  type StartInput,
} from '../../src/sync/playout-schedule.js';

/** Context time 0 at shared 5000 ms; the context clock runs `ppm` fast against the shared timeline. */
function clock(ppm: number): ScheduleClock {
  const k = 1 + ppm * 1e-6;
  return {
    sharedToContextSec: (ms) => ((ms - 5_000) / 1000) * k,
    contextToSharedMs: (sec) => 5_000 + (sec * 1000) / k,
  };
}

/** Now = shared 65 000 ms (context 60 s at 0 ppm); a 180 s track. */
function input(over: Partial<StartInput> = {}): StartInput {
  const c = over.clock ?? clock(0);
  return {
    state: { startSharedMs: 67_000, startPositionSec: 0 },
    durationSec: 180,
    clock: c,
    outputLatencySec: 0.03,
    trimMs: 0,
    nowContextSec: c.sharedToContextSec(65_000),
    minLeadSec: 0.03,
    ...over,
  };
}

describe('playout schedule', () => {
  it('maps shared time to track position and back', () => {
    const state = { startSharedMs: 10_000, startPositionSec: 30 };
    expect(expectedPositionSec(12_500, state)).to.equal(32.5);
    expect(expectedPositionSec(9_000, state)).to.equal(29);
    expect(sharedTimeAtPositionMs(32.5, state)).to.equal(12_500);
  });

  it('signs the playout error: heard later than planned is positive, trim excused', () => {
    const state = { startSharedMs: 10_000, startPositionSec: 0 };
    expect(playoutErrorMs(1, 11_002, state, 0)).to.be.closeTo(2, 1e-9);
    expect(playoutErrorMs(1, 10_999, state, 0)).to.be.closeTo(-1, 1e-9);
    expect(playoutErrorMs(1, 11_010, state, 10)).to.be.closeTo(0, 1e-9);
  });

  it('schedules a future start at offset 0, output latency earlier', () => {
    const plan = planStart(input());
    expect(plan).to.not.equal(null);
    expect(plan?.offsetSec).to.equal(0);
    expect(plan?.joinedLate).to.equal(false);
    expect(plan?.whenSec).to.be.closeTo(62 - 0.03, 1e-9);
  });

  it('applies latency and trim with the right signs', () => {
    const base = planStart(input({ outputLatencySec: 0 }))?.whenSec ?? Number.NaN;
    const latent = planStart(input({ outputLatencySec: 0.25 }))?.whenSec ?? Number.NaN;
    const trimmed = planStart(input({ outputLatencySec: 0, trimMs: 40 }))?.whenSec ?? Number.NaN;
    const early = planStart(input({ outputLatencySec: 0, trimMs: -15 }))?.whenSec ?? Number.NaN;
    expect(base - latent).to.be.closeTo(0.25, 1e-9);
    expect(trimmed - base).to.be.closeTo(0.04, 1e-9);
    expect(early - base).to.be.closeTo(-0.015, 1e-9);
  });

  it('uses the context clock rate (skewed conversion)', () => {
    const c = clock(200);
    const plan = planStart(input({ clock: c, outputLatencySec: 0 }));
    expect(plan?.whenSec).to.be.closeTo(62 * (1 + 200e-6), 1e-9);
  });

  it('joins late: starts at now + lead with the offset due then', () => {
    const c = clock(150);
    const i = input({ clock: c, state: { startSharedMs: 5_000, startPositionSec: 0 }, trimMs: 12 });
    const plan = planStart(i);
    expect(plan?.joinedLate).to.equal(true);
    expect(plan?.whenSec).to.be.closeTo(i.nowContextSec + 0.03, 1e-12);
    // Heard at shared 65 000 + 30 (lead) ms + 30 (latency) ms·k, minus the 12 ms trim.
    const heardMs = c.contextToSharedMs((plan?.whenSec ?? 0) + 0.03);
    expect(plan?.offsetSec).to.be.closeTo((heardMs - 12 - 5_000) / 1000, 1e-9);
    expect(plan?.offsetSec).to.be.closeTo(60.048, 1e-4);
    expect(renderTimeSec(plan?.offsetSec ?? 0, i)).to.be.closeTo(plan?.whenSec ?? 0, 1e-9);
  });

  it('starts a resume in the future at its position, not before it', () => {
    const plan = planStart(input({ state: { startSharedMs: 67_000, startPositionSec: 42 } }));
    expect(plan?.offsetSec).to.equal(42);
    expect(plan?.joinedLate).to.equal(false);
    expect(plan?.whenSec).to.be.closeTo(62 - 0.03, 1e-9);
  });

  it('does not start within the minimum lead: a start due too soon is a late join', () => {
    const i = input({ state: { startSharedMs: 65_040, startPositionSec: 0 } });
    const plan = planStart(i);
    expect(plan?.joinedLate).to.equal(true);
    expect(plan?.whenSec).to.be.closeTo(60.03, 1e-12);
    expect(plan?.offsetSec).to.be.closeTo(0.02, 1e-9);
    expect(positionToRenderAtSec(60.03, i)).to.be.closeTo(0.02, 1e-9);
  });

  it('returns null after the end of the track, or when the clock is not ready', () => {
    expect(planStart(input({ state: { startSharedMs: 5_000, startPositionSec: 0 }, durationSec: 60 }))).to.equal(null);
    expect(planStart(input({ state: { startSharedMs: 5_000, startPositionSec: 0 }, durationSec: 60.1 }))).to.not.equal(null);
    expect(planStart(input({ state: { startSharedMs: 67_000, startPositionSec: 180 } }))).to.equal(null);
    const notReady: ScheduleClock = { sharedToContextSec: () => Number.NaN, contextToSharedMs: () => Number.NaN };
    expect(planStart(input({ clock: notReady, nowContextSec: 1 }))).to.equal(null);
  });

  it('gives the correction rate that makes track time follow the shared timeline', () => {
    // A context clock 700 ppm fast must play 1/1.0007 − 1 ≈ −699.5 ppm (repeat samples).
    expect(correctionRatePpm(clock(700), 30)).to.be.closeTo((1 / 1.0007 - 1) * 1e6, 1e-3);
    expect(correctionRatePpm(clock(-200), 30)).to.be.closeTo((1 / 0.9998 - 1) * 1e6, 1e-3);
    expect(Number.isNaN(correctionRatePpm({ sharedToContextSec: () => Number.NaN, contextToSharedMs: () => Number.NaN }, 1))).to.equal(true);
  });
});
