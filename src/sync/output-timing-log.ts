/**
 * A record of everything {@link OutputTiming} was given (frame counter reports, output timestamp
 * readings, underrun counts, resumes), so that a speaker's output timing can be replayed offline
 * under other rules and compared with the rendered truth of the same run (bench/timing-replay.ts).
 * Pure: the inputs carry their own timestamps, and OutputTiming is deterministic in them.
 *
 * Rows are tuples (a 10-minute run is ~10⁵ of them per speaker): see {@link TimingInputRow}.
 */
import type { RenderFrameReport } from './output-render-clock.js';
import type { OutputReading } from './output-timing-options.js';
import type { Milliseconds, Seconds } from './units.js';

/** What OutputTiming takes in (it implements this). */
export interface OutputTimingInputs {
  addFrames(report: RenderFrameReport): void;
  addReading(reading: OutputReading): unknown;
  addUnderrunCount(events: number, atPerfMs: Milliseconds): void;
  noteResumed(atPerfMs: Milliseconds): void;
}

/** Inputs that go to every one of `targets`, in order (a timing and its log, two timings replayed side by side). */
export function teeTimingInputs(...targets: readonly OutputTimingInputs[]): OutputTimingInputs {
  return {
    addFrames: (report) => targets.forEach((t) => t.addFrames(report)),
    addReading: (reading) => targets.forEach((t) => t.addReading(reading)),
    addUnderrunCount: (events, atPerfMs) => targets.forEach((t) => t.addUnderrunCount(events, atPerfMs)),
    noteResumed: (atPerfMs) => targets.forEach((t) => t.noteResumed(atPerfMs)),
  };
}

/** Row kinds. */
export const TimingInputKind = { frames: 0, reading: 1, underruns: 2, resumed: 3 } as const;

/**
 * One input: `[0, frame, arrivalPerfMs]`, `[1, contextTimeSec, performanceTimeMs, readAtMs,
 * outputLatencySec (NaN: none)]`, `[2, events, atPerfMs]` or `[3, atPerfMs]` (page clock, ms).
 */
export type TimingInputRow =
  | readonly [typeof TimingInputKind.frames, number, Milliseconds]
  | readonly [typeof TimingInputKind.reading, Seconds, Milliseconds, Milliseconds, Seconds]
  | readonly [typeof TimingInputKind.underruns, number, Milliseconds]
  | readonly [typeof TimingInputKind.resumed, Milliseconds];

/** A drained part of a log. */
export interface TimingLogChunk {
  readonly sampleRateHz: number;
  readonly rows: readonly TimingInputRow[];
  /** Rows dropped since the last drain because the log was full (the replay is then not exact). */
  readonly droppedRows: number;
}

/** Rows kept between drains (a minute of a busy speaker is ~2·10⁴). */
export const MAX_LOG_ROWS = 500_000;

/** Records inputs until drained by {@link take}. */
export class TimingInputLog implements OutputTimingInputs {
  private rows: TimingInputRow[] = [];
  private dropped = 0;

  constructor(
    readonly sampleRateHz: number,
    private readonly maxRows = MAX_LOG_ROWS,
  ) {}

  addFrames(report: RenderFrameReport): void {
    this.push([TimingInputKind.frames, report.frame, report.arrivalPerfMs]);
  }

  addReading(r: OutputReading): void {
    this.push([TimingInputKind.reading, r.contextTimeSec, r.performanceTimeMs, r.readAtMs, r.outputLatencySec ?? Number.NaN]);
  }

  addUnderrunCount(events: number, atPerfMs: Milliseconds): void {
    this.push([TimingInputKind.underruns, events, atPerfMs]);
  }

  noteResumed(atPerfMs: Milliseconds): void {
    this.push([TimingInputKind.resumed, atPerfMs]);
  }

  /** The rows since the last call, and how many did not fit. */
  take(): TimingLogChunk {
    const chunk = { sampleRateHz: this.sampleRateHz, rows: this.rows, droppedRows: this.dropped };
    this.rows = [];
    this.dropped = 0;
    return chunk;
  }

  private push(row: TimingInputRow): void {
    if (this.rows.length >= this.maxRows) this.dropped++;
    else this.rows.push(row);
  }
}

/** Page time of a row, ms. */
export function rowPerfMs(row: TimingInputRow): Milliseconds {
  switch (row[0]) {
    case TimingInputKind.frames:
    case TimingInputKind.underruns:
      return row[2];
    case TimingInputKind.reading:
      return row[3];
    default:
      return row[1];
  }
}

/** Feeds `rows` to `into` in order; `after` runs after each. */
export function replayTimingInputs(rows: Iterable<TimingInputRow>, into: OutputTimingInputs, after?: (row: TimingInputRow) => void): void {
  for (const row of rows) {
    switch (row[0]) {
      case TimingInputKind.frames:
        into.addFrames({ frame: row[1], arrivalPerfMs: row[2] });
        break;
      case TimingInputKind.reading:
        into.addReading({ contextTimeSec: row[1], performanceTimeMs: row[2], readAtMs: row[3], ...(typeof row[4] === 'number' && !Number.isNaN(row[4]) ? { outputLatencySec: row[4] } : {}) });
        break;
      case TimingInputKind.underruns:
        into.addUnderrunCount(row[1], row[2]);
        break;
      default:
        into.noteResumed(row[1]);
    }
    after?.(row);
  }
}
