import { expect } from '@open-wc/testing';
import { decodeWavPcm16, encodeWavPcm16 } from '../../src/media/wav.js';
import { readWavLayout, wavByteAt, wavSlice } from '../../src/media/wav-slice.js';

const RATE_HZ = 44_100;

/** 3 s of stereo noise-like samples (every frame distinct), with tags before the data chunk. */
function fixture(): { bytes: Uint8Array; channels: Float32Array[] } {
  const frames = 3 * RATE_HZ;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  let seed = 7;
  for (let i = 0; i < frames; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    left[i] = seed / 2 ** 32 - 0.5;
    right[i] = -left[i]! / 2;
  }
  return { bytes: encodeWavPcm16([left, right], RATE_HZ, { title: 'Slice Test', artist: 'Tutti' }), channels: [left, right] };
}

describe('WAV slices', () => {
  it('reads the layout from the first chunk and refuses other files', () => {
    const { bytes } = fixture();
    const layout = readWavLayout(bytes.subarray(0, 1024), bytes.byteLength);
    expect(layout).to.not.equal(null);
    expect(layout!.channelCount).to.equal(2);
    expect(layout!.blockAlign).to.equal(4);
    expect(layout!.frameCount).to.equal(3 * RATE_HZ);
    expect(layout!.durationSec).to.equal(3);
    expect(layout!.dataStartBytes).to.be.greaterThan(44);
    expect(wavByteAt(layout!, 1)).to.equal(layout!.dataStartBytes + RATE_HZ * 4);
    expect(readWavLayout(bytes.subarray(0, 40), bytes.byteLength), 'header cut short').to.equal(null);
    expect(readWavLayout(new TextEncoder().encode('ID3\u0004 not a wav file at all, an mp3 perhaps'), 100)).to.equal(null);
    const compressed = bytes.slice(0, 1024);
    compressed[20] = 0x55; // fmt tag 0x0055: MPEG layer 3 in a RIFF
    expect(readWavLayout(compressed, bytes.byteLength)).to.equal(null);
  });

  it('cuts a run of chunks into a WAV of its own, starting on a whole 10 ms', () => {
    const { bytes, channels } = fixture();
    const layout = readWavLayout(bytes.subarray(0, 1024), bytes.byteLength)!;
    const chunkBytes = 65_536;
    const offsetBytes = 3 * chunkBytes;
    const run = { offsetBytes, bytes: bytes.slice(offsetBytes, offsetBytes + 4 * chunkBytes) };
    const slice = wavSlice(layout, run)!;
    const firstFrame = Math.round(slice.startSec * RATE_HZ);
    expect(firstFrame % 441, 'aligned to 10 ms').to.equal(0);
    expect(layout.dataStartBytes + firstFrame * 4).to.be.at.least(offsetBytes);
    expect(layout.dataStartBytes + (firstFrame - 441) * 4, 'the first aligned frame in the run').to.be.below(offsetBytes);
    const decoded = decodeWavPcm16(slice.bytes);
    expect(decoded.sampleRateHz).to.equal(RATE_HZ);
    expect(decoded.channelCount).to.equal(2);
    expect(slice.endSec).to.equal((firstFrame + decoded.frameCount) / RATE_HZ);
    expect(layout.dataStartBytes + (firstFrame + decoded.frameCount) * 4).to.be.at.most(offsetBytes + 4 * chunkBytes);
    const whole = decodeWavPcm16(bytes);
    for (const i of [0, 1, 1000, decoded.frameCount - 1]) {
      expect(decoded.pcm16[2 * i], `left frame ${i}`).to.equal(whole.pcm16[2 * (firstFrame + i)]);
      expect(decoded.pcm16[2 * i + 1], `right frame ${i}`).to.equal(whole.pcm16[2 * (firstFrame + i) + 1]);
    }
    expect(channels[0]!.length).to.equal(whole.frameCount);
  });

  it('a run that holds the file to its end slices to the last frame; one with no whole aligned frame gives null', () => {
    const { bytes } = fixture();
    const layout = readWavLayout(bytes.subarray(0, 1024), bytes.byteLength)!;
    const tail = wavSlice(layout, { offsetBytes: bytes.byteLength - 100_000, bytes: bytes.slice(bytes.byteLength - 100_000) })!;
    expect(tail.endSec).to.equal(3);
    expect(wavSlice(layout, { offsetBytes: 1000, bytes: bytes.slice(1000, 1500) })).to.equal(null);
  });
});
