import { expect } from '@open-wc/testing';
import { decodeWavPcm16, encodeWavPcm16 } from '../../src/media/wav.js';
import { readWavLayout, wavByteAt } from '../../src/media/wav-slice.js';
import { FETCH_LEAD_SEC, TrackPartFeeder } from '../../src/room/track-part-feeder.js';
import { JOIN_FETCH_HOLD } from '../../src/sync/join-fetch-hold.js';
import { FIRST_PART_SEC } from '../../src/sync/part-growth.js';
import type { FetchFocus, PartialTrack } from '../../src/room/track-exchange-types.js';
import type { PlaybackPlan } from '../../src/sync/speaker-plan.js';

const RATE_HZ = 8000;
const TRACK_SEC = 60;
const CHUNK_BYTES = 16_384;
const TRACK_ID = 'b'.repeat(64);

/** 60 s mono 16-bit at 8 kHz: 16 000 bytes/s, so a chunk holds ~1.02 s. */
function wav(): Uint8Array {
  const samples = new Float32Array(TRACK_SEC * RATE_HZ);
  for (let i = 0; i < samples.length; i++) samples[i] = ((i * 7919) % 2000) / 2000 - 0.5;
  return encodeWavPcm16([samples], RATE_HZ, { title: 'Feeder' });
}

/** A download that has exactly the chunks the test gives it, and records the focus asked. */
class FakeDownload implements PartialTrack {
  readonly chunkBytes = CHUNK_BYTES;
  readonly done = new Set<number>();
  readonly focuses: FetchFocus[] = [];
  /** Every pause asked (ms; 0: resume). */
  readonly pauses: number[] = [];
  constructor(readonly bytes: Uint8Array) {}
  get sizeBytes(): number {
    return this.bytes.byteLength;
  }
  get chunkCount(): number {
    return Math.ceil(this.bytes.byteLength / CHUNK_BYTES);
  }
  chunk(index: number): Uint8Array | undefined {
    return this.done.has(index) ? this.bytes.slice(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES) : undefined;
  }
  runBytes(index: number): number {
    let end = index;
    while (this.done.has(end)) end++;
    return Math.max(0, Math.min(this.sizeBytes, end * CHUNK_BYTES) - index * CHUNK_BYTES);
  }
  run(index: number): { offsetBytes: number; bytes: Uint8Array } | null {
    const length = this.runBytes(index);
    return length === 0 ? null : { offsetBytes: index * CHUNK_BYTES, bytes: this.bytes.slice(index * CHUNK_BYTES, index * CHUNK_BYTES + length) };
  }
  give(...indices: number[]): void {
    for (const index of indices) this.done.add(index);
  }
}

interface Offer {
  readonly startSec: number;
  readonly endSec: number;
  readonly trackDurationSec: number;
  readonly firstSample: number;
}

function rig(bytes = wav()): { feeder: TrackPartFeeder; download: FakeDownload; offers: Offer[]; time: { nowMs: number; known: boolean; uncertaintyMs: number } } {
  const download = new FakeDownload(bytes);
  const offers: Offer[] = [];
  const time = { nowMs: 100_000, known: true, uncertaintyMs: 0.1 };
  const feeder = new TrackPartFeeder(
    {
      partial: (trackId) => (trackId === TRACK_ID ? download : null),
      focus: (trackId, order) => {
        if (trackId === TRACK_ID) download.focuses.push(order);
      },
      pause: (trackId, forMs) => {
        if (trackId === TRACK_ID) download.pauses.push(forMs);
      },
    },
    {
      offerPart: (trackId, part, startSec, trackDurationSec) => {
        expect(trackId).to.equal(TRACK_ID);
        const decoded = decodeWavPcm16(part);
        offers.push({ startSec, endSec: startSec + decoded.frameCount / RATE_HZ, trackDurationSec, firstSample: decoded.pcm16[0]! });
      },
    },
    { now: () => (time.known ? time.nowMs : null), uncertaintyMs: () => time.uncertaintyMs },
  );
  return { feeder, download, offers, time };
}

/** Playing since 20 s ago from the start: position 20 s now. */
function playing(nowMs: number): PlaybackPlan {
  return { zoneId: 'z', trackId: TRACK_ID, status: 'playing', startSharedMs: nowMs - 20_000, startPositionSec: 0, pausedPositionSec: 0, durationSec: TRACK_SEC, gain: 1 };
}

describe('TrackPartFeeder', () => {
  it('asks for the header, then from the position due ahead, and offers growing parts that start on a whole 10 ms', () => {
    const { feeder, download, offers, time } = rig();
    feeder.follow(playing(time.nowMs), false);
    expect(download.focuses).to.deep.equal(['head']);
    download.give(0);
    feeder.step();
    const aim = download.focuses.at(-1) as number;
    const aimByte = wavByteAt(readWavLayout(download.bytes, download.sizeBytes)!, 20 + FETCH_LEAD_SEC);
    expect(aim, 'the chunk holding the position due ahead').to.equal(Math.floor(aimByte / CHUNK_BYTES));
    download.give(aim, aim + 1);
    feeder.step();
    expect(offers, 'not yet enough ahead').to.have.length(0);
    download.give(aim + 2, aim + 3, aim + 4);
    feeder.step();
    expect(offers).to.have.length(1);
    const first = offers[0]!;
    expect(first.endSec - 20).to.be.at.least(FIRST_PART_SEC);
    expect(Math.round(first.startSec * 100) / 100).to.equal(first.startSec);
    expect(first.trackDurationSec).to.equal(TRACK_SEC);
    const bytes = download.bytes;
    const whole = decodeWavPcm16(bytes);
    expect(first.firstSample, 'the slice holds the frames of its position').to.equal(whole.pcm16[Math.round(first.startSec * RATE_HZ)]);
    // One more chunk: not worth a new part; the rest to the end: one part to the end.
    download.give(aim + 5);
    feeder.step();
    expect(offers).to.have.length(1);
    for (let i = aim + 6; i < download.chunkCount; i++) download.give(i);
    feeder.step();
    expect(offers).to.have.length(2);
    expect(offers[1]!.startSec).to.equal(first.startSec);
    expect(offers[1]!.endSec).to.be.closeTo(TRACK_SEC, 1e-9);
    feeder.step();
    expect(offers, 'nothing new').to.have.length(2);
  });

  it('re-aims when the room passed what arrived, and stops (focus reset) once the track is whole', () => {
    const { feeder, download, offers, time } = rig();
    feeder.follow(playing(time.nowMs), false);
    download.give(0);
    feeder.step();
    const aim = download.focuses.at(-1) as number;
    time.nowMs += 5_000;
    feeder.step();
    const reAim = download.focuses.at(-1) as number;
    expect(reAim).to.be.greaterThan(aim + 3);
    feeder.follow(playing(time.nowMs - 5_000), true);
    expect(download.focuses.at(-1)).to.equal(null);
    expect(offers).to.have.length(0);
  });

  it('fetches in order while the room\'s time is unknown, and aims once it is known', () => {
    const { feeder, download, offers, time } = rig();
    time.known = false;
    feeder.follow(playing(time.nowMs), false);
    download.give(0);
    feeder.step();
    expect(download.focuses).to.deep.equal(['head', null]);
    time.known = true;
    feeder.step();
    const aimByte = wavByteAt(readWavLayout(download.bytes, download.sizeBytes)!, 20 + FETCH_LEAD_SEC);
    expect(download.focuses.at(-1)).to.equal(Math.floor(aimByte / CHUNK_BYTES));
    expect(offers).to.have.length(0);
  });

  it('holds the fetch after the first part while the clock is unsure, and resumes once it settles', () => {
    const { feeder, download, offers, time } = rig();
    time.uncertaintyMs = 4;
    feeder.follow(playing(time.nowMs), false);
    download.give(0);
    feeder.step();
    expect(download.pauses.every((ms) => ms === 0), 'no hold before a part').to.equal(true);
    const aim = download.focuses.at(-1) as number;
    download.give(aim, aim + 1, aim + 2, aim + 3, aim + 4);
    feeder.step();
    expect(offers).to.have.length(1);
    const runwaySec = offers[0]!.endSec - 20;
    expect(download.pauses.at(-1), 'held for the runway beyond its margin').to.be.closeTo(Math.min(JOIN_FETCH_HOLD.maxHoldMs, (runwaySec - JOIN_FETCH_HOLD.minRunwaySec) * 1000), 1e-6);
    expect(feeder.view().clockHoldSinceMs).to.equal(time.nowMs);
    time.nowMs += 200;
    time.uncertaintyMs = 0.3;
    feeder.step();
    expect(download.pauses.at(-1), 'resumed').to.equal(0);
  });

  it('leaves other formats to the whole download', () => {
    const notWav = new Uint8Array(200_000).fill(0x41);
    const { feeder, download, offers, time } = rig(notWav);
    feeder.follow(playing(time.nowMs), false);
    download.give(...Array.from({ length: download.chunkCount }, (_, i) => i));
    feeder.step();
    expect(download.focuses).to.deep.equal(['head', null]);
    feeder.step();
    expect(offers).to.have.length(0);
  });

  it('feeds nothing while paused or when the track is here', () => {
    const { feeder, download, time } = rig();
    feeder.follow({ ...playing(time.nowMs), status: 'paused' }, false);
    feeder.follow(playing(time.nowMs), true);
    expect(download.focuses).to.deep.equal([]);
  });
});
