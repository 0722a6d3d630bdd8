import { expect } from '@open-wc/testing';
import { IN_SYNC_MS, SyncRun } from '../../src/sync/sync-run.js';

describe('SyncRun', () => {
  it('dates a run from its first measurement within the bound, error and σ both', () => {
    const run = new SyncRun();
    run.add(1_000, 0.2, 3);
    run.add(1_200, 4, 0.3);
    expect(run.state).to.deep.equal({ measurements: 0, sinceSharedMs: null });
    run.add(1_400, -0.6, 0.4);
    run.add(1_600, 0.1, 0.2);
    run.add(1_800, IN_SYNC_MS * 0.99, 0.2);
    expect(run.state).to.deep.equal({ measurements: 3, sinceSharedMs: 1_400 });
  });

  it('starts over after a measurement out of bounds, and on reset', () => {
    const run = new SyncRun();
    run.add(0, 0.1, 0.1);
    run.add(200, 0.1, 0.1);
    run.add(400, -IN_SYNC_MS, 0.1);
    run.add(600, 0.1, 0.1);
    expect(run.state).to.deep.equal({ measurements: 1, sinceSharedMs: 600 });
    run.add(800, Number.NaN, 0.1);
    expect(run.state.measurements).to.equal(0);
    run.add(1_000, 0.1, 0.1);
    run.reset();
    expect(run.state).to.deep.equal({ measurements: 0, sinceSharedMs: null });
  });
});
