import { expect } from '@open-wc/testing';
import { StartWaitLog } from '../../src/sync/start-wait-log.js';
import type { PlaybackPlan } from '../../src/sync/speaker-plan.js';

const plan = (startSharedMs: number): PlaybackPlan => ({
  zoneId: 'z', trackId: 't', status: 'playing', startSharedMs, startPositionSec: 0, pausedPositionSec: 0, durationSec: 60, gain: 1,
});

describe('StartWaitLog', () => {
  it('keeps the changes of what held the start, until it started', () => {
    const log = new StartWaitLog();
    log.note(plan(0), 100, 'no-audio');
    log.note(plan(0), 150, 'no-audio');
    log.note(plan(0), 600, 'timing-unready');
    log.note(plan(0), 900, 'unconfirmed');
    log.note(plan(0), 1200, 'started');
    log.note(plan(0), 1300, 'no-audio');
    expect(log.steps.map((s) => [s.atMs, s.blocker])).to.deep.equal([[100, 'no-audio'], [600, 'timing-unready'], [900, 'unconfirmed'], [1200, 'started']]);
  });

  it('starts afresh for a new schedule, not for an equal plan object', () => {
    const log = new StartWaitLog();
    log.note(plan(0), 100, 'no-audio');
    log.note(plan(0), 200, 'settling');
    log.note(plan(5_000), 300, 'unsure');
    expect(log.steps.map((s) => s.blocker)).to.deep.equal(['unsure']);
  });

  it('stops logging a start that never comes after a bounded number of changes', () => {
    const log = new StartWaitLog();
    for (let i = 0; i < 100; i++) log.note(plan(0), i, i % 2 === 0 ? 'settling' : 'contradicted');
    expect(log.steps.length).to.be.within(2, 16);
  });
});
