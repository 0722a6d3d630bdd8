import { expect } from '@open-wc/testing';
import { engineReport, type EngineSnapshot } from '../../src/audio/engine-report.js';
import type { PlaybackPlan } from '../../src/sync/speaker-plan.js';

const PLAN: PlaybackPlan = {
  zoneId: 'z', trackId: 't', status: 'playing', startSharedMs: 1_000, startPositionSec: 0, pausedPositionSec: 0, durationSec: 60, gain: 1,
};

const snapshot = (s: Partial<EngineSnapshot>): EngineSnapshot => ({
  plan: PLAN, trimMs: 0, rateChanges: 0, reschedules: 0, outputState: 'running', outputError: null, load: null, ended: false,
  latencyMs: 40, ratePpm: 0, last: null, scheduled: false, audioReady: false, heardPositionSec: null, ...s,
});

describe('engineReport', () => {
  it('reports loading or decoding while nothing of the track can play', () => {
    expect(engineReport(snapshot({ load: { kind: 'loading', trackId: 't' } })).phase).to.equal('loading');
    expect(engineReport(snapshot({ load: { kind: 'missing', trackId: 't', sinceMs: 0 } })).phase).to.equal('loading');
    expect(engineReport(snapshot({ load: { kind: 'decoding', trackId: 't' } })).phase).to.equal('decoding');
  });

  it('reports starting, not loading, for a decoded part waiting to start while the rest arrives', () => {
    // A late joiner's first part is decoded and waits for the clock: it was shown as loading.
    const report = engineReport(snapshot({ load: { kind: 'loading', trackId: 't' }, audioReady: true }));
    expect(report.phase).to.equal('scheduled');
    expect(report.outputLatencyMs).to.equal(40);
  });

  it('reports playing once the scheduled voice is heard, whatever still loads', () => {
    const report = engineReport(snapshot({ load: { kind: 'loading', trackId: 't' }, audioReady: true, scheduled: true, heardPositionSec: 12.5 }));
    expect(report.phase).to.equal('playing');
    expect(report.positionSec).to.equal(12.5);
  });
});
