import { expect } from '@open-wc/testing';
import { MicError, MicErrorKind, type MicCapture, type PerfMark } from '../../src/audio/mic-capture.js';
import { CalibrationPhase, runCalibration, type CalibrationRunnerDeps } from '../../src/room/calibration-runner.js';
import type { CalibrateProbeMessage } from '../../src/sync/calibration-messages.js';
import { FULL_SEARCH, type ProbeSlot } from '../../src/sync/calibration-plan.js';
import type { CapturedBlock } from '../../src/sync/calibration-recording.js';
import { simulatePass, type SimSpeaker } from '../sim/calibration-run.js';

/**
 * A room in simulation behind the runner's injected services: speakers answer probe and apply
 * requests; `sleep` advances shared time and renders what the microphone heard meanwhile.
 */
function simulatedRoom(sim: SimSpeaker[], options: { refuse?: string; deafFromPass?: number; moveAfterPass?: { pass: number; speaker: number; deltaMs: number } } = {}) {
  const ids = sim.map((_, k) => `s${k}`);
  let nowMs = 100_000;
  const blocks: CapturedBlock[] = [];
  const marks: PerfMark[] = [];
  let requested: ProbeSlot[] = [];
  const phases: CalibrationPhase[] = [];
  let passes = 0;
  const mic: MicCapture = { rateHz: 48_000, blocks: () => blocks, marks: () => marks, dispose: () => undefined };
  const deps: CalibrationRunnerDeps = {
    openMicrophone: async () => mic,
    sharedNowMs: () => nowMs,
    perfToSharedMs: (perfMs) => perfMs,
    perfNowMs: () => nowMs,
    sleep: async (ms) => {
      nowMs += ms;
      if (requested.length === 0) return;
      const pass = passes++;
      if (pass >= (options.deafFromPass ?? Number.POSITIVE_INFINITY)) {
        // The microphone stalled: nothing is recorded from here on.
        requested = [];
        return;
      }
      const ordered = ids.flatMap((id) => requested.filter((s) => s.speakerId === id));
      const speakers = ordered.map((s) => sim[ids.indexOf(s.speakerId)]!);
      const capture = simulatePass({ speakers, slots: ordered, snrDb: 20, micLatencyMs: 21, listenerPpm: -30, frameAtZero: 0, markJitterMs: 0.1, seed: requested[0]!.seed });
      blocks.push(...capture.blocks);
      marks.push(...capture.marks.map((m) => ({ frame: m.frame, perfMs: m.sharedMs })));
      requested = [];
      // A speaker's output moves once this pass is heard (its latency model changed, say).
      const move = options.moveAfterPass;
      if (move !== undefined && move.pass === pass) sim[move.speaker]!.trueDelayMs += move.deltaMs;
    },
    requestProbe: async (speakerId, message: CalibrateProbeMessage) => {
      const k = ids.indexOf(speakerId);
      const error = speakerId === options.refuse ? 'its sound is not running' : null;
      if (error === null) requested.push({ speakerId, name: speakerId, seed: message.seed, atSharedMs: message.atSharedMs, search: FULL_SEARCH });
      return { type: 'calibrate-probe-ack', runId: message.runId, seed: message.seed, error, trimMs: sim[k]!.trimMs, correctionMs: sim[k]!.correctionMs };
    },
    requestApply: async (speakerId, message) => {
      sim[ids.indexOf(speakerId)]!.correctionMs = message.correctionMs;
      return { type: 'calibrate-applied', runId: message.runId, correctionMs: message.correctionMs, error: null };
    },
    progress: (phase) => phases.push(phase),
  };
  const speakers = ids.map((id, k) => ({ speakerId: id, name: ['Kitchen', 'Hall', 'Porch'][k]! }));
  return { deps, speakers, phases };
}

/** Speakers at these true delays (ms), no trim or correction yet, equally loud. */
const speakersAt = (delaysMs: readonly number[]): SimSpeaker[] => delaysMs.map((trueDelayMs) => ({ trueDelayMs, trimMs: 0, correctionMs: 0, gain: 0.2 }));

describe('runCalibration', () => {
  it('measures, applies, verifies and reports every speaker', async () => {
    const sim: SimSpeaker[] = [
      { trueDelayMs: 3, trimMs: 0, correctionMs: 0, gain: 0.2 },
      { trueDelayMs: 180.4, trimMs: 0, correctionMs: 0, gain: 0.1, echoes: [{ delayMs: 4, gain: 0.5 }] },
      { trueDelayMs: 7.25, trimMs: 2, correctionMs: 0, gain: 0.3 },
    ];
    const room = simulatedRoom(sim);
    const report = await runCalibration(room.deps, room.speakers, 7);
    expect(report.ok, report.message).to.equal(true);
    expect(report.message).to.match(/^all speakers within 0\.0\d ms$/);
    expect(room.phases).to.deep.equal([CalibrationPhase.microphone, CalibrationPhase.measuring, CalibrationPhase.applying, CalibrationPhase.verifying, CalibrationPhase.done]);
    const [kitchen, hall, porch] = report.rows;
    expect(hall!.measuredDelayMs).to.be.closeTo(177.4, 0.05);
    expect(hall!.correctionMs).to.be.closeTo(0, 1e-9);
    expect(kitchen!.correctionMs).to.be.closeTo(177.4, 0.05);
    expect(porch!.correctionMs).to.be.closeTo(173.15, 0.05);
    expect(report.rows.every((r) => r.residualMs !== null && Math.abs(r.residualMs) < 0.05)).to.equal(true);
    expect(report.passes).to.have.length(2);
    expect(report.durationMs).to.be.below(10_000);
    // The heard (trim-free) outputs now coincide.
    const heard = sim.map((s) => s.trueDelayMs + s.correctionMs);
    expect(Math.max(...heard) - Math.min(...heard)).to.be.below(0.05);
  });

  it('corrects once more when the verification finds a speaker that moved while it was measured', async () => {
    const sim = speakersAt([3, 5, 4]);
    const room = simulatedRoom(sim, { moveAfterPass: { pass: 0, speaker: 1, deltaMs: -0.3 } });
    const report = await runCalibration(room.deps, room.speakers, 12);
    expect(report.ok, report.message).to.equal(true);
    expect(report.message).to.match(/^all speakers within 0\.0\d ms$/);
    expect(report.passes).to.have.length(3);
    expect(room.phases).to.deep.equal([
      CalibrationPhase.microphone, CalibrationPhase.measuring, CalibrationPhase.applying, CalibrationPhase.verifying,
      CalibrationPhase.applying, CalibrationPhase.verifying, CalibrationPhase.done,
    ]);
    const heard = sim.map((s) => s.trueDelayMs + s.correctionMs);
    expect(Math.max(...heard) - Math.min(...heard)).to.be.below(0.05);
    expect(report.rows.map((r) => r.correctionMs)).to.deep.equal(sim.map((s) => s.correctionMs));
  });

  it('keeps the verified corrections when the refining verification cannot be made', async () => {
    const sim = speakersAt([3, 5, 4]);
    const room = simulatedRoom(sim, { moveAfterPass: { pass: 0, speaker: 1, deltaMs: -0.3 }, deafFromPass: 2 });
    const report = await runCalibration(room.deps, room.speakers, 13);
    expect(report.ok, report.message).to.equal(true);
    expect(report.message).to.match(/^all speakers within 0\.[23]\d ms$/);
    expect(report.passes).to.have.length(2);
    // Back to the first corrections (2 ms and 1 ms onto the earlier speakers), which the first verification checked.
    expect(sim[0]!.correctionMs).to.be.closeTo(2, 0.05);
    expect(sim[1]!.correctionMs).to.be.closeTo(0, 0.05);
    expect(sim[2]!.correctionMs).to.be.closeTo(1, 0.05);
    expect(report.rows.map((r) => r.correctionMs)).to.deep.equal(sim.map((s) => s.correctionMs));
  });

  it('names a speaker that could not play or answer, and corrects the others', async () => {
    const sim: SimSpeaker[] = [
      { trueDelayMs: 0, trimMs: 0, correctionMs: 0, gain: 0.2 },
      { trueDelayMs: 4, trimMs: 0, correctionMs: 0, gain: 0.2 },
      { trueDelayMs: 9, trimMs: 0, correctionMs: 3, gain: 0.2 },
    ];
    const room = simulatedRoom(sim, { refuse: 's2' });
    const report = await runCalibration(room.deps, room.speakers, 8);
    expect(report.ok).to.equal(false);
    expect(report.message).to.contain("Porch couldn't play the calibration sound (its sound is not running)");
    expect(report.rows[2]!.correctionMs).to.equal(null);
    expect(sim[2]!.correctionMs).to.equal(3);
    expect(sim[0]!.correctionMs).to.be.closeTo(4, 0.05);
  });

  it('puts the previous corrections back when the verification cannot be made', async () => {
    const sim: SimSpeaker[] = [
      { trueDelayMs: 0, trimMs: 0, correctionMs: 1.5, gain: 0.2 },
      { trueDelayMs: 6, trimMs: 0, correctionMs: 0, gain: 0.2 },
      { trueDelayMs: 2, trimMs: 0, correctionMs: 0.25, gain: 0.2 },
    ];
    const room = simulatedRoom(sim, { deafFromPass: 1 });
    const report = await runCalibration(room.deps, room.speakers, 11);
    expect(report.ok).to.equal(false);
    expect(report.message).to.match(/^Verification failed \(.+\): the previous corrections are back in place — try again$/);
    expect(sim.map((s) => s.correctionMs)).to.deep.equal([1.5, 0, 0.25]);
    expect(report.rows.map((r) => r.correctionMs)).to.deep.equal([1.5, 0, 0.25]);
    expect(report.rows.map((r) => r.measuredDelayMs)).to.satisfy((delays: (number | null)[]) => delays.every((d) => d !== null));
  });

  it('reports a denied microphone and applies nothing', async () => {
    const sim: SimSpeaker[] = [
      { trueDelayMs: 0, trimMs: 0, correctionMs: 0, gain: 0.2 },
      { trueDelayMs: 4, trimMs: 0, correctionMs: 0, gain: 0.2 },
    ];
    const room = simulatedRoom(sim);
    const denied = { ...room.deps, openMicrophone: () => Promise.reject(new MicError(MicErrorKind.denied, 'Microphone permission was denied — allow the microphone for this page to calibrate.')) };
    const report = await runCalibration(denied, room.speakers.slice(0, 2), 9);
    expect(report.ok).to.equal(false);
    expect(report.message).to.contain('Microphone permission was denied');
    expect(room.phases.at(-1)).to.equal(CalibrationPhase.failed);
    expect(sim.map((s) => s.correctionMs)).to.deep.equal([0, 0]);
  });

  it('needs two speakers', async () => {
    const room = simulatedRoom([{ trueDelayMs: 0, trimMs: 0, correctionMs: 0, gain: 0.2 }]);
    const report = await runCalibration(room.deps, room.speakers.slice(0, 1), 10);
    expect(report.message).to.contain('at least two speakers');
  });
});
