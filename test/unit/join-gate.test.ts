import { expect } from '@open-wc/testing';
import { JOIN_GATE, JoinGate, type JoinCheck } from '../../src/sync/join-gate.js';
import type { PlaybackPlan } from '../../src/sync/speaker-plan.js';

const plan = (startSharedMs: number): PlaybackPlan => ({
  zoneId: 'z', trackId: 't', status: 'playing', startSharedMs, startPositionSec: 0, pausedPositionSec: 0, durationSec: 60, gain: 1,
});

describe('JoinGate', () => {
  const check = (partial: Partial<JoinCheck>): JoinCheck => ({ plan: plan(0), nowSharedMs: 10_000, nowMs: 0, latencyConfirmed: true, uncertaintyMs: 0.2, ...partial });

  it('never holds a fresh start, however unsure', () => {
    const gate = new JoinGate();
    expect(gate.holdReason(check({ nowSharedMs: JOIN_GATE.confirmAfterMs, latencyConfirmed: false, uncertaintyMs: 50 }))).to.equal(null);
  });

  it('holds a join until a reading confirms the latency and the schedule is sure', () => {
    const gate = new JoinGate();
    expect(gate.holdReason(check({ latencyConfirmed: false, uncertaintyMs: 1.5 }))).to.equal('unconfirmed');
    expect(gate.holdReason(check({ uncertaintyMs: 1.5 }))).to.equal('unsure');
    expect(gate.holdReason(check({ uncertaintyMs: 0.9 }))).to.equal(null);
  });

  it('lets an unsure join start after waiting maxClockWaitMs, counted afresh for a new schedule', () => {
    const gate = new JoinGate();
    const unsure = { uncertaintyMs: 2 };
    expect(gate.holdReason(check({ ...unsure, nowMs: 100 }))).to.equal('unsure');
    expect(gate.holdReason(check({ ...unsure, nowMs: 100 + JOIN_GATE.maxClockWaitMs - 1 }))).to.equal('unsure');
    expect(gate.holdReason(check({ ...unsure, nowMs: 100 + JOIN_GATE.maxClockWaitMs }))).to.equal(null);
    // An equal plan object keeps the wait; a new schedule restarts it.
    expect(gate.holdReason(check({ ...unsure, plan: plan(0), nowMs: 100 + JOIN_GATE.maxClockWaitMs + 1 }))).to.equal(null);
    expect(gate.holdReason(check({ ...unsure, plan: plan(500), nowMs: 100 + JOIN_GATE.maxClockWaitMs + 1 }))).to.equal('unsure');
  });
});
