import { expect } from '@open-wc/testing';
import { CaptureTimeline } from '../../src/sync/capture-timeline.js';

const RATE = 44_100;
const CHUNK = 441; // 10 ms
/** Chunk i: captured from 5 s on the capture clock; arrives `lateMs` after its last sample, at page time 1000 ms + … */
const chunk = (i: number, lateMs = 2, jitterUs = 0) => ({ timestampUs: 5_000_000 + i * 10_000 + jitterUs, frameCount: CHUNK, rateHz: RATE, arrivalPerfMs: 1_000 + i * 10 + 10 + lateMs });

describe('CaptureTimeline', () => {
  it('places contiguous chunks back to back, and skips lost audio as a gap', () => {
    const timeline = new CaptureTimeline();
    expect(timeline.place(chunk(0))).to.deep.equal({ frame: 0, gapFrames: 0 });
    // A timestamp 16 ms late (jitter, as seen live): still contiguous.
    expect(timeline.place(chunk(1, 2, 16_000))).to.deep.equal({ frame: CHUNK, gapFrames: 0 });
    expect(timeline.place(chunk(2))).to.deep.equal({ frame: 2 * CHUNK, gapFrames: 0 });
    // Chunks 3 to 6 never came: chunk 7 lands 40 ms (1764 frames) further.
    expect(timeline.place(chunk(7))).to.deep.equal({ frame: 7 * CHUNK, gapFrames: 4 * CHUNK });
    expect(timeline.lost).to.equal(4 * CHUNK);
  });

  it('ties frames to the page clock through the least-delayed arrival', () => {
    const timeline = new CaptureTimeline();
    // Arrivals 2–9 ms after capture; the least delay (2 ms) sets the offset for every mark.
    [9, 4, 2, 7].forEach((lateMs, i) => timeline.place(chunk(i, lateMs)));
    const marks = timeline.marks();
    expect(marks.map((m) => m.frame)).to.deep.equal([0, CHUNK, 2 * CHUNK, 3 * CHUNK]);
    // Chunk i was captured at page time 1000 + 10·i; every mark is late by the least delay (2 ms),
    // which no arrival can reveal, and which is common to all of them.
    for (const [i, mark] of marks.entries()) expect(mark.perfMs).to.be.closeTo(1_002 + 10 * i, 1e-9);
  });

  it('ignores a chunk with broken numbers', () => {
    const timeline = new CaptureTimeline();
    expect(timeline.place({ ...chunk(0), timestampUs: Number.NaN })).to.equal(null);
    expect(timeline.place({ ...chunk(0), frameCount: 0 })).to.equal(null);
    expect(timeline.place(chunk(0))).to.deep.equal({ frame: 0, gapFrames: 0 });
    expect(timeline.marks()).to.have.length(1);
  });
});
