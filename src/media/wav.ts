/**
 * Minimal 16-bit PCM WAV (RIFF/WAVE) encoder and parser. Pure: no DOM, browser or Node globals.
 *
 * Layout written: `RIFF` · `fmt ` (PCM, 16 bit) · optional `LIST`/`INFO` (INAM, IART, IPRD) ·
 * `data` (interleaved little-endian int16). Float samples map to int16 by round-half-away-from-zero
 * of sample·32767, clipped to ±32767 (no dither); NaN encodes as 0. Decoding divides by 32767, so
 * decode → encode reproduces the same int16 samples.
 */

/** Full-scale int16 magnitude used for both encoding and decoding. */
export const PCM16_FULL_SCALE = 32767;

/** Optional text tags, written as a LIST/INFO chunk (non-ASCII characters become `?`). */
export interface WavInfo {
  /** INAM */
  readonly title?: string;
  /** IART */
  readonly artist?: string;
  /** IPRD */
  readonly album?: string;
}

/** Shape of a 16-bit PCM WAV file. */
export interface WavPcm16Layout {
  /** Channels, ≥ 1 (interleaved in the file). */
  readonly channelCount: number;
  /** Integer sample rate in Hz. */
  readonly sampleRateHz: number;
  /** Samples per channel. */
  readonly frameCount: number;
  readonly info?: WavInfo;
}

/** A parsed 16-bit PCM WAV file. */
export interface DecodedWavPcm16 extends WavPcm16Layout {
  readonly info: WavInfo;
  /** Interleaved samples, `frameCount × channelCount` long. */
  readonly pcm16: Int16Array;
}

/** Whether typed arrays use little-endian order here (then samples are written through an Int16Array). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const INFO_TAGS = [
  ['INAM', 'title'],
  ['IART', 'artist'],
  ['IPRD', 'album'],
] as const;

/** Float sample (nominally −1..1) to int16: round half away from zero, clip to ±32767, NaN → 0. */
export function floatToPcm16(sample: number): number {
  if (sample >= 1) return PCM16_FULL_SCALE;
  if (sample <= -1) return -PCM16_FULL_SCALE;
  if (sample > 0) return Math.floor(sample * PCM16_FULL_SCALE + 0.5);
  if (sample < 0) return -Math.floor(0.5 - sample * PCM16_FULL_SCALE);
  return 0;
}

function asciiBytes(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes.push(code >= 0x20 && code < 0x7f ? code : 0x3f);
  }
  return bytes;
}

/** The LIST/INFO chunk payload (without its 8-byte header), or an empty array without tags. */
function infoPayload(info: WavInfo | undefined): number[] {
  const payload: number[] = [];
  for (const [tag, key] of INFO_TAGS) {
    const value = info?.[key];
    if (value === undefined) continue;
    const text = [...asciiBytes(value), 0];
    if (text.length % 2 === 1) text.push(0);
    payload.push(...asciiBytes(tag), ...le32(text.length), ...text);
  }
  return payload.length === 0 ? [] : [...asciiBytes('INFO'), ...payload];
}

function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** Incremental writer: knows the total size up front, accepts frames in chunks, returns the file bytes. */
export class WavPcm16Writer {
  /** The whole file; complete once `framesWritten === layout.frameCount`. */
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly dataOffset: number;
  private appendFrame = 0;
  private written = 0;

  constructor(readonly layout: WavPcm16Layout) {
    const { channelCount, sampleRateHz, frameCount } = layout;
    if (!Number.isInteger(channelCount) || channelCount < 1) throw new RangeError(`bad channelCount ${channelCount}`);
    if (!Number.isInteger(sampleRateHz) || sampleRateHz < 1) throw new RangeError(`bad sampleRateHz ${sampleRateHz}`);
    if (!Number.isInteger(frameCount) || frameCount < 0) throw new RangeError(`bad frameCount ${frameCount}`);
    const list = infoPayload(layout.info);
    const listBytes = list.length === 0 ? 0 : 8 + list.length;
    const dataBytes = frameCount * channelCount * 2;
    const header = [
      ...asciiBytes('RIFF'), ...le32(4 + 24 + listBytes + 8 + dataBytes), ...asciiBytes('WAVE'),
      ...asciiBytes('fmt '), ...le32(16), 1, 0, channelCount & 0xff, channelCount >>> 8,
      ...le32(sampleRateHz), ...le32(sampleRateHz * channelCount * 2), (channelCount * 2) & 0xff, (channelCount * 2) >>> 8, 16, 0,
      ...(list.length === 0 ? [] : [...asciiBytes('LIST'), ...le32(list.length), ...list]),
      ...asciiBytes('data'), ...le32(dataBytes),
    ];
    this.bytes = new Uint8Array(header.length + dataBytes);
    this.bytes.set(header);
    this.view = new DataView(this.bytes.buffer);
    this.dataOffset = header.length;
  }

  /** Frames appended so far. */
  get framesWritten(): number {
    return this.written;
  }

  /** File offset of frame `frame`'s first sample, bytes. */
  byteOfFrame(frame: number): number {
    return this.dataOffset + 2 * frame * this.layout.channelCount;
  }

  /** Appends the first `frameCount` frames of `channels` (one array per channel, float samples). */
  append(channels: readonly Float32Array[], frameCount: number): void {
    this.writeAt(this.appendFrame, channels, frameCount);
    this.appendFrame += frameCount;
  }

  /**
   * Writes the first `frameCount` frames of `channels` at frame `startFrame` (a renderer may fill the
   * file out of order; each frame once). `framesWritten` counts every frame written.
   */
  writeAt(startFrame: number, channels: readonly Float32Array[], frameCount: number): void {
    const channelCount = this.layout.channelCount;
    if (channels.length !== channelCount) throw new RangeError(`expected ${channelCount} channels, got ${channels.length}`);
    if (!Number.isInteger(startFrame) || startFrame < 0 || startFrame + frameCount > this.layout.frameCount) throw new RangeError('more frames than the layout declares');
    if (channels.some((channel) => channel.length < frameCount)) throw new RangeError('channel shorter than frameCount');
    const offset = this.byteOfFrame(startFrame);
    if (LITTLE_ENDIAN && offset % 2 === 0) {
      const samples = new Int16Array(this.bytes.buffer, offset, frameCount * channelCount);
      for (let c = 0; c < channelCount; c++) {
        const channel = channels[c] as Float32Array;
        for (let i = 0, j = c; i < frameCount; i++, j += channelCount) samples[j] = floatToPcm16(channel[i] as number);
      }
    } else {
      for (let c = 0; c < channelCount; c++) {
        const channel = channels[c] as Float32Array;
        for (let i = 0; i < frameCount; i++) {
          this.view.setInt16(offset + 2 * (i * channelCount + c), floatToPcm16(channel[i] as number), true);
        }
      }
    }
    this.written += frameCount;
  }
}

/** Encodes equal-length float channels as a 16-bit PCM WAV file. */
export function encodeWavPcm16(channels: readonly Float32Array[], sampleRateHz: number, info?: WavInfo): Uint8Array {
  const frameCount = channels[0]?.length ?? 0;
  if (channels.some((channel) => channel.length !== frameCount)) throw new RangeError('channels differ in length');
  const writer = new WavPcm16Writer({ channelCount: channels.length, sampleRateHz, frameCount, info });
  writer.append(channels, frameCount);
  return writer.bytes;
}

function fourCc(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

function readInfo(view: DataView, start: number, end: number): WavInfo {
  const info: { title?: string; artist?: string; album?: string } = {};
  for (let offset = start; offset + 8 <= end; ) {
    const tag = fourCc(view, offset);
    const size = view.getUint32(offset + 4, true);
    let text = '';
    for (let i = 0; i < size && offset + 8 + i < end; i++) {
      const code = view.getUint8(offset + 8 + i);
      if (code === 0) break;
      text += String.fromCharCode(code);
    }
    const key = INFO_TAGS.find(([name]) => name === tag)?.[1];
    if (key !== undefined) info[key] = text;
    offset += 8 + size + (size % 2);
  }
  return info;
}

/** Parses a 16-bit PCM WAV file (format 1, or WAVE_FORMAT_EXTENSIBLE with 16-bit samples). Throws on anything else. */
export function decodeWavPcm16(bytes: Uint8Array): DecodedWavPcm16 {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourCc(view, 0) !== 'RIFF' || fourCc(view, 8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let format: { channelCount: number; sampleRateHz: number } | undefined;
  let info: WavInfo = {};
  let data: { start: number; byteLength: number } | undefined;
  for (let offset = 12; offset + 8 <= bytes.byteLength; ) {
    const id = fourCc(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      const formatTag = view.getUint16(body, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if ((formatTag !== 1 && formatTag !== 0xfffe) || bitsPerSample !== 16) {
        throw new Error(`unsupported WAV format ${formatTag}/${bitsPerSample} bit`);
      }
      format = { channelCount: view.getUint16(body + 2, true), sampleRateHz: view.getUint32(body + 4, true) };
    } else if (id === 'LIST' && size >= 4 && fourCc(view, body) === 'INFO') {
      info = readInfo(view, body + 4, Math.min(body + size, bytes.byteLength));
    } else if (id === 'data') {
      data = { start: body, byteLength: Math.min(size, bytes.byteLength - body) };
    }
    offset = body + size + (size % 2);
  }
  if (format === undefined || format.channelCount < 1) throw new Error('no usable fmt chunk');
  if (data === undefined) throw new Error('no data chunk');
  const frameCount = Math.floor(data.byteLength / (2 * format.channelCount));
  const pcm16 = new Int16Array(frameCount * format.channelCount);
  for (let i = 0; i < pcm16.length; i++) pcm16[i] = view.getInt16(data.start + 2 * i, true);
  return { ...format, frameCount, info, pcm16 };
}

/** Splits interleaved int16 samples into float channels (sample / 32767). */
export function pcm16ToFloatChannels(pcm16: Int16Array, channelCount: number): Float32Array[] {
  const frameCount = Math.floor(pcm16.length / channelCount);
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frameCount));
  for (let i = 0; i < frameCount; i++) {
    for (let c = 0; c < channelCount; c++) {
      (channels[c] as Float32Array)[i] = (pcm16[i * channelCount + c] as number) / PCM16_FULL_SCALE;
    }
  }
  return channels;
}
