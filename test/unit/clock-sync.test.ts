import { expect } from '@open-wc/testing';
import { ClockSync, ReplyOutcome } from '../../src/sync/clock-sync.js';
import { runClockScenario } from '../sim/clock-scenario.js';
import { asymmetricScenario, highLoadScenario, wifiJumpScenario, wifiScenario, wiredLanScenario } from '../sim/clock-scenarios.js';
import { percentile, summarizeAbs } from '../sim/stats.js';

const MIN = 60_000;

describe('ClockSync', () => {
  it('numbers probes, ignores unknown and timed-out replies', () => {
    const sync = new ClockSync();
    const a = sync.createProbe(1_000);
    const b = sync.createProbe(1_025);
    expect(b.seq).to.equal(a.seq + 1);
    expect(sync.handleReply(999, 5, 5, 1_030)).to.equal(ReplyOutcome.Ignored);
    expect(sync.handleReply(a.seq, 1_001, 1_001.1, 1_002)).to.equal(ReplyOutcome.Accepted);
    expect(sync.handleReply(a.seq, 1_001, 1_001.1, 1_002)).to.equal(ReplyOutcome.Ignored);
    expect(sync.handleReply(b.seq, 3_000, 3_000, 3_100)).to.equal(ReplyOutcome.Ignored);
    expect(sync.state(1_100).sampleCount).to.equal(1);
  });

  it('says how far a mapping lies outside what the replies allow, which a late reply cannot raise', () => {
    // Leader 100 ms ahead; the one reply's forward leg took 140 ms (a busy tab answering late).
    const sync = new ClockSync();
    const p = sync.createProbe(1_000);
    sync.handleReply(p.seq, 1_240, 1_240.1, 1_140.5);
    expect(Math.abs(sync.mapping()!.offsetMs - 100), 'the one-reply estimate is far off').to.be.above(60);
    const truth = { refLocalMs: 0, offsetMs: 100, rate: 0 };
    expect(sync.contradictionMs(truth)).to.equal(0);
    expect(sync.contradictionMs({ ...truth, offsetMs: -20 })).to.be.closeTo(119.6, 1e-9);
    expect(sync.contradictionMs({ ...truth, offsetMs: 300 })).to.be.closeTo(60, 1e-9);
    sync.restart();
    expect(sync.contradictionMs({ ...truth, offsetMs: 1e6 }), 'forgotten at a restart').to.equal(0);
  });

  it('bursts, then probes faster until converged and during warm-up, then at the upkeep rate', () => {
    const sync = new ClockSync({ burstProbes: 3, burstIntervalMs: 25, convergeIntervalMs: 50, warmupMs: 2_000, warmupIntervalMs: 100, upkeepIntervalMs: 400 });
    expect(sync.nextProbeDelayMs(0)).to.equal(0);
    let t = 1_000;
    const exchange = (): void => {
      const p = sync.createProbe(t);
      sync.handleReply(p.seq, t + 0.5 + 100, t + 0.6 + 100, t + 1.1);
    };
    exchange();
    expect(sync.nextProbeDelayMs(t)).to.equal(25);
    for (let i = 0; i < 2; i++) {
      t += 25;
      exchange();
    }
    expect(sync.converged).to.equal(false);
    expect(sync.nextProbeDelayMs(t)).to.equal(50);
    while (!sync.converged) {
      t += 50;
      exchange();
    }
    expect(sync.nextProbeDelayMs(t)).to.equal(100);
    t += 2_000;
    exchange();
    expect(sync.nextProbeDelayMs(t)).to.equal(400);
    expect(sync.nextProbeDelayMs(t + 1_000)).to.equal(0);
  });

  it('converges within 1 s on a wired LAN and stays within 0.05 ms', () => {
    for (const seed of [1, 2]) {
      const r = runClockScenario(wiredLanScenario(seed, { durationMs: MIN }), seed);
      expect(r.convergedAfterMs).to.be.a('number').and.at.most(1_000);
      expect(summarizeAbs(r.errorsMs).p99).to.be.below(0.05);
    }
  });

  it('keeps Wi-Fi errors small over 3 simulated minutes (±200 ppm skew, spikes, loss)', () => {
    const r = runClockScenario(wifiScenario(5, { durationMs: 3 * MIN }), 5);
    const s = summarizeAbs(r.errorsMs);
    expect(s.p95).to.be.below(0.2);
    expect(s.p99).to.be.below(0.4);
    expect(r.jumpsDetected).to.equal(0);
  });

  it('detects a clock jump, resets and recovers within seconds', () => {
    const r = runClockScenario(wifiJumpScenario(6, { durationMs: MIN }), 6);
    expect(r.jumpsDetected).to.equal(1);
    expect(r.recoveryMs[0]).to.be.below(5_000);
    const after = r.errorsMs.filter((_, i) => r.sampleTimesMs[i] > 0.4 * MIN + 5_000);
    expect(summarizeAbs(after).p99).to.be.below(0.25);
  });

  it('does not mistake 60 ms stalls for jumps', () => {
    const r = runClockScenario(highLoadScenario(7, { durationMs: 2 * MIN }), 7);
    expect(r.jumpsDetected).to.equal(0);
    expect(summarizeAbs(r.errorsMs).p99).to.be.below(0.1);
  });

  it('shows half of a constant path asymmetry as error (unobservable)', () => {
    const r = runClockScenario(asymmetricScenario(8, { durationMs: MIN }), 8);
    expect(percentile(r.errorsMs, 0.5)).to.be.closeTo(0.1, 0.02);
  });
});
