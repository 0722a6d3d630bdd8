import { expect } from '@open-wc/testing';
import { analyzePass, STALLED_MESSAGE, type PassAnalysis } from '../../src/sync/calibration-analysis.js';
import { ProbeVerdict, type ProbeLocation } from '../../src/sync/calibration-locate.js';
import {
  decideCorrections,
  passEndSharedMs,
  planAnchor,
  planProbes,
  planVerification,
  PROBE_STAGGER_MS,
  SEARCH_AFTER_MS,
  VERIFY_SEARCH_MS,
  VERIFY_STAGGER_MS,
  summarizeResiduals,
  type ProbeSlot,
  type SpeakerMeasurement,
} from '../../src/sync/calibration-plan.js';
import { PROBE_DURATION_MS } from '../../src/sync/calibration-probe.js';
import { fitFrameTimeMap } from '../../src/sync/calibration-recording.js';
import { simulatePass, type SimPassOptions, type SimSpeaker } from '../sim/calibration-run.js';

const location = (delayMs: number, verdict: ProbeVerdict = ProbeVerdict.ok): ProbeLocation => ({ verdict, arrivalFrame: 1000 + delayMs * 48, delayMs, psr: 50, snrDb: 20, levelDbfs: -30 });

const measurement = (name: string, delayMs: number, extra: Partial<SpeakerMeasurement> = {}): SpeakerMeasurement => ({
  speakerId: `id-${name}`,
  name,
  location: location(delayMs),
  playError: null,
  trimMs: 0,
  correctionMs: 0,
  ...extra,
});

const speakers = [
  { speakerId: 'a', name: 'Kitchen' },
  { speakerId: 'b', name: 'Hall' },
  { speakerId: 'c', name: 'Porch' },
];

describe('planProbes', () => {
  it('staggers speakers so windows never overlap, with distinct seeds', () => {
    const slots = planProbes(speakers, 10_000, 7);
    expect(slots.map((s) => s.atSharedMs)).to.deep.equal([10_000, 10_000 + PROBE_STAGGER_MS, 10_000 + 2 * PROBE_STAGGER_MS]);
    expect(new Set(slots.map((s) => s.seed)).size).to.equal(3);
    expect(slots.map((s) => s.name)).to.deep.equal(['Kitchen', 'Hall', 'Porch']);
    expect(passEndSharedMs(slots)).to.equal(10_000 + 2 * PROBE_STAGGER_MS + PROBE_DURATION_MS + SEARCH_AFTER_MS);
    expect(SEARCH_AFTER_MS).to.be.at.least(500);
    const anchor = planAnchor(slots)!;
    expect(anchor.atSharedMs).to.equal(10_000 + 3 * PROBE_STAGGER_MS);
    expect(anchor.search).to.deep.equal(slots[0]!.search);
  });

  it('plans a verification with narrow ranges around the predicted delays, arrivals VERIFY_STAGGER_MS apart', () => {
    const predicted = [{ ...speakers[0]!, delayMs: 3 }, { ...speakers[1]!, delayMs: 250 }, { ...speakers[2]!, delayMs: -4 }];
    const slots = planVerification(predicted, 10_000, 7);
    const arrivals = slots.map((s, k) => s.atSharedMs + predicted[k]!.delayMs);
    expect(arrivals).to.deep.equal([10_250, 10_250 + VERIFY_STAGGER_MS, 10_250 + 2 * VERIFY_STAGGER_MS]);
    expect(Math.min(...slots.map((s) => s.atSharedMs))).to.be.at.least(10_000);
    expect(slots[1]!.search).to.deep.equal({ fromMs: 250 - VERIFY_SEARCH_MS, toMs: 250 + VERIFY_SEARCH_MS });
    // Neighbouring ranges (and their probes with 40 ms of reverberation) never overlap.
    for (let k = 1; k < slots.length; k++) expect(arrivals[k]! - VERIFY_SEARCH_MS).to.be.at.least(arrivals[k - 1]! + VERIFY_SEARCH_MS + PROBE_DURATION_MS + 40);
    const anchor = planAnchor(slots)!;
    expect(anchor.atSharedMs + 3).to.equal(10_250 + 3 * VERIFY_STAGGER_MS);
    expect(anchor.search).to.deep.equal(slots[0]!.search);
    expect(passEndSharedMs([...slots, anchor])).to.equal(anchor.atSharedMs + 3 + VERIFY_SEARCH_MS + PROBE_DURATION_MS);
    // 3 speakers and the anchor: under 1.5 s from the first probe to the end, against ~3.2 s at full range.
    expect(passEndSharedMs([...slots, anchor]) - 10_000).to.be.below(1_500);
  });
});

describe('decideCorrections', () => {
  it('aligns everyone to the latest speaker, only delaying, smallest correction 0', () => {
    const decision = decideCorrections([measurement('A', 12), measurement('B', 15.5), measurement('C', 212)]);
    expect(decision.message).to.equal(null);
    const byName = Object.fromEntries(decision.corrections.map((c) => [c.name, c]));
    expect(byName.A!.correctionMs).to.be.closeTo(200, 1e-9);
    expect(byName.B!.correctionMs).to.be.closeTo(196.5, 1e-9);
    expect(byName.C!.correctionMs).to.be.closeTo(0, 1e-9);
    expect(byName.C!.measuredDelayMs).to.be.closeTo(200, 1e-9);
    expect(byName.A!.measuredDelayMs).to.equal(0);
  });

  it('keeps the manual trim as an override and does not creep on repeated runs', () => {
    // B is trimmed +3 ms on purpose and already carries a 5 ms correction from an earlier run.
    const decision = decideCorrections([measurement('A', 10), measurement('B', 10 + 3, { trimMs: 3, correctionMs: 5 })]);
    const [a, b] = decision.corrections;
    // Trim-free, both were heard together: nothing changes.
    expect(a!.correctionMs).to.be.closeTo(0, 1e-9);
    expect(b!.correctionMs).to.be.closeTo(5, 1e-9);
    // Already aligned with non-zero corrections everywhere: shifted down so the smallest is 0.
    const again = decideCorrections([measurement('A', 4, { correctionMs: 4 }), measurement('B', 4, { correctionMs: 9 })]);
    expect(again.corrections.map((c) => c.correctionMs)).to.deep.equal([0, 5]);
  });

  it('names a speaker that was not heard and leaves it out', () => {
    const decision = decideCorrections([
      measurement('Kitchen', 0, { location: location(NaN, ProbeVerdict.notHeard) }),
      measurement('Hall', 1),
      measurement('Porch', 2),
    ]);
    expect(decision.corrections.map((c) => c.name)).to.deep.equal(['Hall', 'Porch']);
    expect(decision.message).to.contain("couldn't hear Kitchen — turn it up or move closer");
    expect(decision.message).to.contain('no correction applied to Kitchen');
  });

  it('applies nothing when fewer than two speakers were heard, with every reason', () => {
    const decision = decideCorrections([
      measurement('Kitchen', 0, { location: location(1, ProbeVerdict.clipped) }),
      measurement('Hall', 0, { location: null, playError: 'sound is blocked' }),
      measurement('Porch', 2),
    ]);
    expect(decision.corrections).to.deep.equal([]);
    expect(decision.message).to.contain('Kitchen is too loud');
    expect(decision.message).to.contain("Hall couldn't play the calibration sound (sound is blocked)");
    expect(decideCorrections([measurement('Solo', 1)]).message).to.contain('at least two speakers');
  });

  it('summarizes a verification pass', () => {
    const summary = summarizeResiduals([measurement('A', 7.01), measurement('B', 7.25, { trimMs: 0.3 }), measurement('C', 7.09)]);
    // Trim-free delays 7.01, 6.95, 7.09.
    expect(summary.spreadMs).to.be.closeTo(0.14, 1e-9);
    expect(summary.ok).to.equal(true);
    expect(summary.message).to.equal('all speakers within 0.14 ms');
    expect(summary.residuals.map((r) => r.residualMs.toFixed(2))).to.deep.equal(['0.00', '-0.06', '0.08']);
    const off = summarizeResiduals([measurement('A', 7), measurement('B', 9.5)]);
    expect(off.ok).to.equal(false);
    expect(off.message).to.contain('still 2.50 ms apart');
  });
});

describe('fitFrameTimeMap', () => {
  it('recovers the audio clock rate and offset from jittery marks, ignoring an outlier', () => {
    const marks = Array.from({ length: 160 }, (_, i) => ({ sharedMs: 1000 + 50 * i, frame: 5e6 + (1000 + 50 * i) * 48 * (1 + 40e-6) + (i % 2 === 0 ? 5 : -5) }));
    marks[30] = { ...marks[30]!, frame: marks[30]!.frame + 48 * 20 };
    const map = fitFrameTimeMap(marks, 48_000)!;
    // 8 s of marks: the data outweighs the ±50 ppm prior.
    expect(map.framesPerMs).to.be.closeTo(48 * (1 + 40e-6), 48 * 10e-6);
    expect(map.frameAt(3000)).to.be.closeTo(5e6 + 3000 * 48 * (1 + 40e-6), 6);
    // The nominal slope follows the page clock's rate against shared time.
    const clean = Array.from({ length: 3 }, (_, i) => ({ sharedMs: 1000 * i, frame: 48 * 1000 * i * 1.0002 }));
    expect(fitFrameTimeMap(clean, 48_000, 1.0002)!.framesPerMs).to.be.closeTo(48 * 1.0002, 1e-9);
    expect(fitFrameTimeMap(marks.slice(0, 1), 48_000)).to.equal(null);
  });
});

/** Runs pass → decision → apply → verification in simulation; returns the verification. */
function simulateCalibration(sim: SimSpeaker[], snrDb: number, seed: number, lostBlocks?: ReadonlySet<number>, listener: Partial<SimPassOptions> = {}) {
  const names = sim.map((_, k) => ({ speakerId: `s${k}`, name: `S${k}` }));
  const common = { snrDb, micLatencyMs: 37.3, listenerPpm: 60, frameAtZero: 123_456, markJitterMs: 0.2, ...listener };
  const clocks: PassAnalysis[] = [];
  const measure = (slots: ProbeSlot[], passSeed: number) => {
    // The first speaker plays the pass's anchor as well.
    const anchor = planAnchor(slots)!;
    const capture = simulatePass({ speakers: [...sim, sim[0]!], slots: [...slots, anchor], ...common, seed: passSeed, ...(lostBlocks ? { lostBlocks } : {}) });
    const analysis = analyzePass(capture, slots, anchor);
    if (!analysis.ok) throw new Error(analysis.message);
    clocks.push(analysis);
    return slots.map((slot, k) => ({ ...names[k]!, location: analysis.locations.get(slot.speakerId)!, playError: null, trimMs: sim[k]!.trimMs, correctionMs: sim[k]!.correctionMs }));
  };
  const first = measure(planProbes(names, 50_000, seed), seed);
  const decision = decideCorrections(first);
  for (const c of decision.corrections) sim[Number(c.speakerId.slice(1))]!.correctionMs = c.correctionMs;
  // The verification searches narrowly around each speaker's predicted delay (as the runner does).
  const predicted = first.map((m, k) => ({ ...names[k]!, delayMs: m.location!.delayMs + sim[k]!.correctionMs - m.correctionMs }));
  const verificationSlots = predicted.every((p) => Number.isFinite(p.delayMs)) ? planVerification(predicted, 60_000, seed + 1) : planProbes(names, 60_000, seed + 1);
  return { decision, verification: summarizeResiduals(measure(verificationSlots, seed + 100)), clocks };
}

/** Heard time of each speaker with trims removed: what calibration should equalize, ms. */
const heardSpread = (sim: readonly SimSpeaker[]): number => {
  const heard = sim.map((s) => s.trueDelayMs + s.correctionMs);
  return Math.max(...heard) - Math.min(...heard);
};

describe('a simulated calibration run', () => {
  it('aligns speakers 2 ms, 9 ms and 250 ms (Bluetooth) late to within 0.05 ms at SNR 10 dB, with echoes, skew and lost blocks', () => {
    const sim: SimSpeaker[] = [
      { trueDelayMs: 2, trimMs: 0, correctionMs: 0, gain: 0.3, echoes: [{ delayMs: 3, gain: 0.5 }], tail: { decayMs: 60, level: 0.3 } },
      { trueDelayMs: 9.37, trimMs: 1.5, correctionMs: 0, gain: 0.05, echoes: [{ delayMs: 6, gain: 0.7 }] },
      { trueDelayMs: 250.1, trimMs: 0, correctionMs: 0, gain: 0.12 },
    ];
    // Blocks lost in the pre-roll (before any search window) are harmless.
    const { decision, verification } = simulateCalibration(sim, 10, 3, new Set([40, 41, 100]));
    expect(decision.message).to.equal(null);
    expect(heardSpread(sim)).to.be.below(0.05);
    expect(verification.failures).to.deep.equal([]);
    expect(verification.spreadMs).to.be.below(0.05);
    expect(verification.message).to.match(/^all speakers within 0\.0\d ms$/);
    // Speaker 1's trim still applies on top.
    expect(sim[1]!.trimMs).to.equal(1.5);
  });

  it('measures the recording clock with the anchor: a 44.1 kHz microphone 670 ppm fast with 1 ms mark jitter still aligns within 0.05 ms', () => {
    const sim: SimSpeaker[] = [
      { trueDelayMs: 0.4, trimMs: 0, correctionMs: 0, gain: 0.2, echoes: [{ delayMs: 4, gain: 0.4 }] },
      { trueDelayMs: 3.1, trimMs: 0, correctionMs: 0, gain: 0.1 },
      { trueDelayMs: 1.7, trimMs: 0, correctionMs: 0, gain: 0.15 },
    ];
    const { decision, verification, clocks } = simulateCalibration(sim, 10, 11, undefined, { rateHz: 44_100, listenerPpm: 670, markJitterMs: 1 });
    expect(decision.message).to.equal(null);
    expect(heardSpread(sim)).to.be.below(0.05);
    expect(verification.spreadMs).to.be.below(0.05);
    for (const pass of clocks) {
      if (!pass.ok) throw new Error('pass refused');
      expect(pass.clockFrom).to.equal('probes');
      expect(pass.clockPpm).to.be.closeTo(670, 30);
    }
  });

  it('falls back to the timing marks when the anchor was not heard', () => {
    const names = [{ speakerId: 's0', name: 'S0' }, { speakerId: 's1', name: 'S1' }];
    const sim: SimSpeaker[] = [{ trueDelayMs: 0, trimMs: 0, correctionMs: 0, gain: 0.2 }, { trueDelayMs: 3, trimMs: 0, correctionMs: 0, gain: 0.2 }];
    const slots = planProbes(names, 10_000, 1);
    const anchor = planAnchor(slots)!;
    expect(anchor.speakerId).to.equal('s0');
    expect(anchor.seed).to.not.be.oneOf(slots.map((s) => s.seed));
    // The anchor's slot stays silent (its speaker's gain 0 there).
    const capture = simulatePass({ speakers: [...sim, { ...sim[0]!, gain: 0 }], slots: [...slots, anchor], snrDb: 20, micLatencyMs: 10, listenerPpm: 20, frameAtZero: 0, markJitterMs: 0.1, seed: 5 });
    const analysis = analyzePass(capture, slots, anchor);
    if (!analysis.ok) throw new Error(analysis.message);
    expect(analysis.clockFrom).to.equal('marks');
    expect(analysis.locations.get('s1')!.delayMs - analysis.locations.get('s0')!.delayMs).to.be.closeTo(3, 0.05);
  });

  it('refuses a pass whose capture lost frames between the windows (the device stalled)', () => {
    const names = [{ speakerId: 's0', name: 'S0' }, { speakerId: 's1', name: 'S1' }];
    const sim: SimSpeaker[] = [{ trueDelayMs: 0, trimMs: 0, correctionMs: 0, gain: 0.2 }, { trueDelayMs: 3, trimMs: 0, correctionMs: 0, gain: 0.2 }];
    const slots = planProbes(names, 10_000, 1);
    const common = { speakers: sim, slots, snrDb: 20, micLatencyMs: 10, listenerPpm: 0, frameAtZero: 0, markJitterMs: 0.1, seed: 4 };
    expect(analyzePass(simulatePass(common), slots).ok).to.equal(true);
    const stalled = analyzePass(simulatePass({ ...common, lostBlocks: new Set([500]) }), slots);
    expect(stalled.ok ? '' : stalled.message).to.equal(`${STALLED_MESSAGE} (128 frames lost)`);
    // Timing marks that jump (the capture clock restarted) are refused too.
    const capture = simulatePass(common);
    const jumped = { ...capture, marks: capture.marks.map((m, i) => (i > capture.marks.length / 2 ? { ...m, frame: m.frame + 48 * 20 } : m)) };
    const refused = analyzePass(jumped, slots);
    expect(refused.ok ? '' : refused.message).to.contain(`${STALLED_MESSAGE} (timing marks scattered by`);
  });

  it('a silent speaker is named and keeps its correction', () => {
    const sim: SimSpeaker[] = [
      { trueDelayMs: 0, trimMs: 0, correctionMs: 0, gain: 0.2 },
      { trueDelayMs: 5, trimMs: 0, correctionMs: 7, gain: 0 },
      { trueDelayMs: 3, trimMs: 0, correctionMs: 0, gain: 0.2 },
    ];
    const { decision } = simulateCalibration(sim, 20, 9);
    expect(decision.message).to.contain("couldn't hear S1");
    expect(sim[1]!.correctionMs).to.equal(7);
    expect(Math.abs(sim[0]!.trueDelayMs + sim[0]!.correctionMs - (sim[2]!.trueDelayMs + sim[2]!.correctionMs))).to.be.below(0.05);
  });
});
