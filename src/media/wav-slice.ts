/**
 * Slices of an uncompressed WAV file that decode on their own: a late joiner can play the part of a
 * track around the room's position from the chunks it has, before the whole file is in. Pure: no
 * DOM, browser or Node globals.
 *
 * Only PCM and IEEE-float WAV (format 1, 3, or WAVE_FORMAT_EXTENSIBLE) are sliceable: their frames
 * sit at fixed byte offsets. A slice starts on a whole 10 ms of track time, so its first frame
 * falls on a whole frame at any sample rate that is a multiple of 100 Hz (the rate a browser may
 * resample it to): the slice and the whole file decode to the same samples at the same times.
 */
import type { Seconds } from '../sync/units.js';

/** Where the frames of a sliceable WAV file are. */
export interface WavDataLayout {
  readonly sampleRateHz: number;
  readonly channelCount: number;
  /** Bytes per frame (all channels). */
  readonly blockAlign: number;
  /** Offset of the first frame in the file, bytes. */
  readonly dataStartBytes: number;
  /** Whole frames in the file's data chunk. */
  readonly frameCount: number;
  /** Length of the track, s. */
  readonly durationSec: Seconds;
  /** The file's `fmt ` chunk, header included (copied into every slice). */
  readonly fmtChunk: Uint8Array;
}

/** A slice that decodes on its own. */
export interface WavSlice {
  /** Track position of the slice's first frame, s. */
  readonly startSec: Seconds;
  /** Track position just after its last frame, s. */
  readonly endSec: Seconds;
  /** A complete WAV file. */
  readonly bytes: Uint8Array;
}

/** Slices start on multiples of this much track time, s. */
export const SLICE_ALIGN_SEC: Seconds = 0.01;

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

function fourCc(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

/**
 * The data layout of a WAV file from its first bytes (the header must lie within `head`), or null
 * when it is not a sliceable WAV (another format, compressed, or a header longer than `head`).
 */
export function readWavLayout(head: Uint8Array, fileBytes: number): WavDataLayout | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.byteLength < 12 || fourCc(view, 0) !== 'RIFF' || fourCc(view, 8) !== 'WAVE') return null;
  let fmt: { chunk: Uint8Array; channelCount: number; sampleRateHz: number; blockAlign: number } | undefined;
  for (let offset = 12; offset + 8 <= head.byteLength; ) {
    const id = fourCc(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || size % 2 !== 0 || body + size > head.byteLength) return null;
      const formatTag = view.getUint16(body, true);
      const channelCount = view.getUint16(body + 2, true);
      const sampleRateHz = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      const known = formatTag === FORMAT_PCM || formatTag === FORMAT_FLOAT || formatTag === FORMAT_EXTENSIBLE;
      if (!known || channelCount < 1 || sampleRateHz < 1 || bitsPerSample % 8 !== 0 || blockAlign !== (channelCount * bitsPerSample) / 8) return null;
      fmt = { chunk: head.slice(offset, body + size), channelCount, sampleRateHz, blockAlign };
    } else if (id === 'data') {
      if (fmt === undefined) return null;
      const dataBytes = Math.min(size, Math.max(0, fileBytes - body));
      const frameCount = Math.floor(dataBytes / fmt.blockAlign);
      return {
        sampleRateHz: fmt.sampleRateHz,
        channelCount: fmt.channelCount,
        blockAlign: fmt.blockAlign,
        dataStartBytes: body,
        frameCount,
        durationSec: frameCount / fmt.sampleRateHz,
        fmtChunk: fmt.chunk,
      };
    }
    offset = body + size + (size % 2);
  }
  return null;
}

/** File offset of the frame at track position `positionSec` (clamped to the data), bytes. */
export function wavByteAt(layout: WavDataLayout, positionSec: Seconds): number {
  const frame = Math.min(layout.frameCount, Math.max(0, Math.floor(positionSec * layout.sampleRateHz)));
  return layout.dataStartBytes + frame * layout.blockAlign;
}

/** Track position just after the whole frames before file offset `bytes` (clamped to the data), s. */
export function wavPositionAt(layout: WavDataLayout, bytes: number): Seconds {
  const frame = Math.min(layout.frameCount, Math.max(0, Math.floor((bytes - layout.dataStartBytes) / layout.blockAlign)));
  return frame / layout.sampleRateHz;
}

/** Frames per slice alignment step: the frames in {@link SLICE_ALIGN_SEC}, or 1 at an odd rate. */
function alignFrames(sampleRateHz: number): number {
  const frames = sampleRateHz * SLICE_ALIGN_SEC;
  return Number.isInteger(frames) ? frames : 1;
}

/**
 * The frames within `run` (bytes of the file from `offsetBytes`) as a WAV file of their own, from
 * the first aligned frame in the run; null when the run holds no whole aligned frame.
 */
export function wavSlice(layout: WavDataLayout, run: { readonly offsetBytes: number; readonly bytes: Uint8Array }): WavSlice | null {
  const step = alignFrames(layout.sampleRateHz);
  const firstByte = Math.max(run.offsetBytes, layout.dataStartBytes);
  const firstFrame = Math.ceil(Math.ceil((firstByte - layout.dataStartBytes) / layout.blockAlign) / step) * step;
  const endFrame = Math.min(layout.frameCount, Math.floor((run.offsetBytes + run.bytes.byteLength - layout.dataStartBytes) / layout.blockAlign));
  if (!(endFrame > firstFrame)) return null;
  const from = layout.dataStartBytes + firstFrame * layout.blockAlign - run.offsetBytes;
  const dataBytes = (endFrame - firstFrame) * layout.blockAlign;
  const fmt = layout.fmtChunk;
  const bytes = new Uint8Array(12 + fmt.byteLength + 8 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, bytes.byteLength - 8, true);
  ascii(8, 'WAVE');
  bytes.set(fmt, 12);
  ascii(12 + fmt.byteLength, 'data');
  view.setUint32(16 + fmt.byteLength, dataBytes, true);
  bytes.set(run.bytes.subarray(from, from + dataBytes), 20 + fmt.byteLength);
  return { startSec: firstFrame / layout.sampleRateHz, endSec: endFrame / layout.sampleRateHz, bytes };
}
