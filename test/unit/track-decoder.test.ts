import { expect } from '@open-wc/testing';
import { TrackDecoder } from '../../src/audio/track-decoder.js';
import { encodeWavPcm16 } from '../../src/media/wav.js';

const SAMPLE_RATE_HZ = 44_100;
/** 0.1 s of a quiet ramp as a 16-bit WAV. */
const WAV = encodeWavPcm16([Float32Array.from({ length: 4_410 }, (_, i) => (i % 100) / 1_000)], SAMPLE_RATE_HZ);

describe('TrackDecoder', () => {
  it('lists what it has decoded (least recently used first), shares in-flight decodes and forgets beyond its capacity', async () => {
    const context = new OfflineAudioContext(1, SAMPLE_RATE_HZ, SAMPLE_RATE_HZ);
    const reads: string[] = [];
    const decoder = new TrackDecoder(context, async (id) => {
      reads.push(id);
      return id === 'missing' ? undefined : WAV;
    });
    expect(decoder.decodedTrackIds).to.deep.equal([]);
    const [a, again] = await Promise.all([decoder.load('a'), decoder.load('a')]);
    expect(a.kind).to.equal('ready');
    expect(again).to.equal(a);
    expect(reads, 'one read for two loads in flight').to.deep.equal(['a']);
    expect((await decoder.load('missing')).kind).to.equal('missing');
    await decoder.load('b');
    expect(decoder.decodedTrackIds).to.deep.equal(['a', 'b']);
    expect(decoder.cached('a')).to.not.equal(undefined);
    expect(decoder.decodedTrackIds, 'a used last').to.deep.equal(['b', 'a']);
    await decoder.load('c');
    expect(decoder.decodedTrackIds, 'capacity 2: b forgotten').to.deep.equal(['a', 'c']);
    decoder.dispose();
    expect(decoder.decodedTrackIds).to.deep.equal([]);
  });
});
