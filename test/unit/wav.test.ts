import { expect } from '@open-wc/testing';
import {
  PCM16_FULL_SCALE,
  WavPcm16Writer,
  decodeWavPcm16,
  encodeWavPcm16,
  floatToPcm16,
  pcm16ToFloatChannels,
} from '../../src/media/wav.js';

/** Deterministic test signal: two channels of mixed tones and a ramp, a few samples over full scale. */
function testChannels(frameCount: number): Float32Array[] {
  const left = new Float32Array(frameCount);
  const right = new Float32Array(frameCount);
  for (let i = 0; i < frameCount; i++) {
    left[i] = 0.8 * Math.sin(i * 0.05) + 0.3 * Math.sin(i * 0.31);
    right[i] = -1.05 + (2.1 * i) / frameCount;
  }
  return [left, right];
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** A hand-made RIFF/WAVE with the given chunks (id + payload), pad bytes added for odd sizes. */
function riff(chunks: readonly [string, number[]][]): Uint8Array {
  const body: number[] = [...'WAVE'].map((c) => c.charCodeAt(0));
  for (const [id, payload] of chunks) {
    const size = payload.length;
    body.push(...[...id].map((c) => c.charCodeAt(0)), size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >>> 24, ...payload);
    if (size % 2 === 1) body.push(0);
  }
  const total = body.length;
  return new Uint8Array([...'RIFF'].map((c) => c.charCodeAt(0)).concat([total & 0xff, (total >> 8) & 0xff, (total >> 16) & 0xff, total >>> 24], body));
}

/** `fmt ` payload for PCM with the given channel count, rate and bit depth. */
function fmt(channelCount: number, sampleRateHz: number, bits: number): number[] {
  const view = new DataView(new ArrayBuffer(16));
  view.setUint16(0, 1, true);
  view.setUint16(2, channelCount, true);
  view.setUint32(4, sampleRateHz, true);
  view.setUint32(8, (sampleRateHz * channelCount * bits) / 8, true);
  view.setUint16(12, (channelCount * bits) / 8, true);
  view.setUint16(14, bits, true);
  return [...new Uint8Array(view.buffer)];
}

describe('wav', () => {
  it('converts floats to int16 by symmetric rounding with clipping; NaN becomes 0', () => {
    expect(floatToPcm16(0)).to.equal(0);
    expect(floatToPcm16(1)).to.equal(32767);
    expect(floatToPcm16(1.5)).to.equal(32767);
    expect(floatToPcm16(-1)).to.equal(-32767);
    expect(floatToPcm16(-7)).to.equal(-32767);
    expect(floatToPcm16(Number.NaN)).to.equal(0);
    expect(floatToPcm16(Number.POSITIVE_INFINITY)).to.equal(32767);
    expect(floatToPcm16(1 / PCM16_FULL_SCALE)).to.equal(1);
    expect(floatToPcm16(0.4 / PCM16_FULL_SCALE)).to.equal(0);
    expect(floatToPcm16(0.6 / PCM16_FULL_SCALE)).to.equal(1);
    for (const x of [0.1, 0.25, 0.5, 0.7777, 0.99999]) expect(floatToPcm16(-x)).to.equal(-floatToPcm16(x));
  });

  it('writes a canonical header: RIFF size, fmt fields, LIST/INFO tags, data size', () => {
    const channels = testChannels(1001);
    const bytes = encodeWavPcm16(channels, 48000, { title: 'Tutti Demo', artist: 'Tutti', album: 'Built-in' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(ascii(bytes, 0, 4)).to.equal('RIFF');
    expect(view.getUint32(4, true)).to.equal(bytes.length - 8);
    expect(ascii(bytes, 8, 8)).to.equal('WAVEfmt ');
    expect(view.getUint32(16, true)).to.equal(16);
    expect(view.getUint16(20, true)).to.equal(1);
    expect(view.getUint16(22, true)).to.equal(2);
    expect(view.getUint32(24, true)).to.equal(48000);
    expect(view.getUint32(28, true)).to.equal(48000 * 4);
    expect(view.getUint16(32, true)).to.equal(4);
    expect(view.getUint16(34, true)).to.equal(16);
    expect(ascii(bytes, 36, 4)).to.equal('LIST');
    const listSize = view.getUint32(40, true);
    expect(ascii(bytes, 44, 4)).to.equal('INFO');
    const dataHeader = 44 + listSize;
    expect(ascii(bytes, dataHeader, 4)).to.equal('data');
    expect(view.getUint32(dataHeader + 4, true)).to.equal(1001 * 4);
    expect(bytes.length).to.equal(dataHeader + 8 + 1001 * 4);
  });

  it('round-trips samples, rate and tags; re-encoding the decoded floats gives identical bytes', () => {
    const channels = testChannels(4410);
    const info = { title: 'Odd', artist: 'Tutti', album: 'Built-in' };
    const bytes = encodeWavPcm16(channels, 44100, info);
    const decoded = decodeWavPcm16(bytes);
    expect(decoded.sampleRateHz).to.equal(44100);
    expect(decoded.channelCount).to.equal(2);
    expect(decoded.frameCount).to.equal(4410);
    expect(decoded.info).to.deep.equal(info);
    for (let i = 0; i < 4410; i++) {
      expect(decoded.pcm16[2 * i]).to.equal(floatToPcm16(channels[0]![i]!));
      expect(decoded.pcm16[2 * i + 1]).to.equal(floatToPcm16(channels[1]![i]!));
    }
    const floats = pcm16ToFloatChannels(decoded.pcm16, decoded.channelCount);
    expect(encodeWavPcm16(floats, 44100, info)).to.deep.equal(bytes);
    expect(Math.max(...floats[1]!.map(Math.abs))).to.equal(1);
  });

  it('writes incrementally with the same bytes as one shot', () => {
    const channels = testChannels(5000);
    const writer = new WavPcm16Writer({ channelCount: 2, sampleRateHz: 22050, frameCount: 5000 });
    for (let start = 0; start < 5000; start += 1234) {
      const end = Math.min(5000, start + 1234);
      writer.append(channels.map((channel) => channel.subarray(start, end)), end - start);
    }
    expect(writer.framesWritten).to.equal(5000);
    expect(writer.bytes).to.deep.equal(encodeWavPcm16(channels, 22050));
    expect(() => writer.append(channels, 1)).to.throw(RangeError);
  });

  it('writes mono and empty files, and replaces non-ASCII tag characters', () => {
    const mono = decodeWavPcm16(encodeWavPcm16([new Float32Array([0.5, -0.5, 0])], 8000, { title: 'Café' }));
    expect(mono.channelCount).to.equal(1);
    expect([...mono.pcm16]).to.deep.equal([16384, -16384, 0]);
    expect(mono.info).to.deep.equal({ title: 'Caf?' });
    const empty = decodeWavPcm16(encodeWavPcm16([new Float32Array(0), new Float32Array(0)], 44100));
    expect(empty.frameCount).to.equal(0);
    expect(empty.info).to.deep.equal({});
  });

  it('parses files with unknown odd-sized chunks and LIST after data; rejects what it cannot read', () => {
    const data = [1, 0, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f];
    const info = [...'INFOIART'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 0x41, 0x42, 0]);
    const bytes = riff([['fmt ', fmt(2, 44100, 16)], ['junk', [1, 2, 3]], ['data', data], ['LIST', info]]);
    const decoded = decodeWavPcm16(bytes);
    expect([...decoded.pcm16]).to.deep.equal([1, -1, -32768, 32767]);
    expect(decoded.frameCount).to.equal(2);
    expect(decoded.info).to.deep.equal({ artist: 'AB' });
    expect(() => decodeWavPcm16(new Uint8Array(8))).to.throw(/RIFF/);
    expect(() => decodeWavPcm16(riff([['fmt ', fmt(1, 44100, 24)], ['data', [0, 0, 0]]]))).to.throw(/unsupported/);
    expect(() => decodeWavPcm16(riff([['fmt ', fmt(1, 44100, 16)]]))).to.throw(/no data/);
  });

  it('produces files Chromium decodes with decodeAudioData', async () => {
    const channels = testChannels(4410);
    const bytes = encodeWavPcm16(channels, 44100, { title: 'T' });
    const context = new OfflineAudioContext(2, 1, 44100);
    const buffer = await context.decodeAudioData(bytes.slice().buffer);
    expect(buffer.numberOfChannels).to.equal(2);
    expect(buffer.sampleRate).to.equal(44100);
    expect(buffer.length).to.equal(4410);
    const left = buffer.getChannelData(0);
    for (let i = 0; i < 4410; i += 97) expect(left[i]).to.be.closeTo(Math.max(-1, Math.min(1, channels[0]![i]!)), 1e-4);
  });
});
