import { expect } from '@open-wc/testing';
import { OutputTiming } from '../../src/sync/output-timing.js';
import { replayTimingInputs, rowPerfMs, TimingInputKind, TimingInputLog, type TimingInputRow } from '../../src/sync/output-timing-log.js';
import { SR, simulate } from '../sim/output-timing-sim.js';

describe('TimingInputLog', () => {
  it('replays a run exactly: the same latency, mapping and verdicts as the timing that ran (through JSON too)', () => {
    const log = new TimingInputLog(SR);
    /** The heard latency and the mapping of context second 5, after each reading. */
    const snapshot = (t: OutputTiming): [number, number] => [t.heardLatencyMs, t.contextToPerfMs(5)];
    const seen: [number, number][] = [];
    // A run with what the rules react to: a ramp, underruns and a suspend.
    const run = simulate({ seed: 3, durationMs: 40_000, skewPpm: 120, underruns: [12_000, 25_000], underrunMs: 20, suspend: { atMs: 30_000, forMs: 400 }, ramp: { fromMs: 15_000, msPerSec: 0.1 }, tap: log, onReading: (t) => seen.push(snapshot(t)) });
    const chunk = log.take();
    expect(chunk.droppedRows).to.equal(0);
    const kinds = new Set(chunk.rows.map((r) => r[0]));
    expect([...kinds].sort((a, b) => a - b)).to.deep.equal([TimingInputKind.frames, TimingInputKind.reading, TimingInputKind.underruns, TimingInputKind.resumed]);
    const rows = JSON.parse(JSON.stringify(chunk.rows)) as TimingInputRow[];
    const replayed = new OutputTiming({ sampleRateHz: chunk.sampleRateHz });
    const replayedSeen: [number, number][] = [];
    replayTimingInputs(rows, replayed, (row) => {
      if (row[0] === TimingInputKind.reading) replayedSeen.push(snapshot(replayed));
    });
    expect(replayedSeen.length).to.equal(seen.length);
    expect(replayedSeen, 'after every reading').to.deep.equal(seen);
    const original = run.timing;
    expect(replayed.heardLatencyMs).to.equal(original.heardLatencyMs);
    expect(replayed.contextToPerfMs(39)).to.equal(original.contextToPerfMs(39));
    const { latencyChanges: changesA, ...a } = original.diagnostics();
    const { latencyChanges: changesB, ...b } = replayed.diagnostics();
    expect(b).to.deep.equal(a);
    expect(changesB).to.deep.equal(changesA);
    expect(original.diagnostics().renderRestarts, 'the run restarted its line').to.be.greaterThan(0);
  });

  it('drains on take, keeps rows in page-time order, and counts what did not fit', () => {
    const log = new TimingInputLog(48_000, 3);
    log.addFrames({ frame: 128, arrivalPerfMs: 10 });
    log.addReading({ contextTimeSec: 0.002, performanceTimeMs: 55, readAtMs: 12 });
    log.addUnderrunCount(0, 13);
    log.noteResumed(14);
    const first = log.take();
    expect(first.rows.map(rowPerfMs)).to.deep.equal([10, 12, 13]);
    expect(first.droppedRows).to.equal(1);
    expect(Number.isNaN(first.rows[1]![4])).to.equal(true);
    expect(log.take()).to.deep.equal({ sampleRateHz: 48_000, rows: [], droppedRows: 0 });
  });
});
