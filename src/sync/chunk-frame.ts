/**
 * Binary framing of one track chunk on a data channel (sent as an ArrayBuffer; control messages
 * travel as JSON strings, so the two never mix).
 *
 * Layout (big-endian), `CHUNK_FRAME_HEADER_BYTES` = 38:
 *   [0]      magic `CHUNK_FRAME_MAGIC` (0xC7)
 *   [1]      version `CHUNK_FRAME_VERSION`
 *   [2, 34)  trackId: the 32 raw bytes of the track's SHA-256
 *   [34, 38) chunk index, u32
 *   [38, …)  payload: 1..`MAX_CHUNK_BYTES` bytes
 * The frame carries no chunk hash: the receiver verifies the payload against its manifest.
 */
import { MAX_CHUNK_BYTES, MAX_CHUNK_COUNT, SHA256_HEX_PATTERN } from './track-manifest.js';

/** First byte of every chunk frame. */
export const CHUNK_FRAME_MAGIC = 0xc7;
/** Bumped on any incompatible change to the layout. */
export const CHUNK_FRAME_VERSION = 1;
/** Bytes before the payload. */
export const CHUNK_FRAME_HEADER_BYTES = 38;
/** Largest frame accepted: header plus the largest chunk. */
export const MAX_CHUNK_FRAME_BYTES = CHUNK_FRAME_HEADER_BYTES + MAX_CHUNK_BYTES;

const TRACK_ID_OFFSET = 2;
const TRACK_ID_BYTES = 32;
const INDEX_OFFSET = TRACK_ID_OFFSET + TRACK_ID_BYTES;

/** A decoded chunk frame. `payload` is a view into the received buffer (no copy). */
export interface ChunkFrame {
  readonly trackId: string;
  readonly index: number;
  readonly payload: Uint8Array;
}

/** Result of decoding an untrusted frame. */
export type ChunkFrameDecode = ({ ok: true } & ChunkFrame) | { ok: false; reason: string };

/**
 * Encode a chunk into a fresh ArrayBuffer of exactly `CHUNK_FRAME_HEADER_BYTES + payload.length`.
 * Throws `RangeError` when `trackId` is not sha-256 hex, `index` is not in [0, `MAX_CHUNK_COUNT`),
 * or the payload is empty or larger than `MAX_CHUNK_BYTES` (local bugs, not peer input).
 */
export function encodeChunkFrame(trackId: string, index: number, payload: Uint8Array): ArrayBuffer {
  if (!SHA256_HEX_PATTERN.test(trackId)) throw new RangeError('encodeChunkFrame: trackId is not sha-256 hex');
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNK_COUNT) throw new RangeError(`encodeChunkFrame: bad index ${index}`);
  if (payload.length < 1 || payload.length > MAX_CHUNK_BYTES) throw new RangeError(`encodeChunkFrame: bad payload length ${payload.length}`);
  const buffer = new ArrayBuffer(CHUNK_FRAME_HEADER_BYTES + payload.length);
  const bytes = new Uint8Array(buffer);
  bytes[0] = CHUNK_FRAME_MAGIC;
  bytes[1] = CHUNK_FRAME_VERSION;
  for (let i = 0; i < TRACK_ID_BYTES; i++) bytes[TRACK_ID_OFFSET + i] = parseInt(trackId.slice(2 * i, 2 * i + 2), 16);
  new DataView(buffer).setUint32(INDEX_OFFSET, index);
  bytes.set(payload, CHUNK_FRAME_HEADER_BYTES);
  return buffer;
}

/** True when `data` looks like a chunk frame (an ArrayBuffer starting with the magic byte); cheap routing test. */
export function isChunkFrame(data: unknown): data is ArrayBuffer {
  return data instanceof ArrayBuffer && data.byteLength > 0 && new Uint8Array(data, 0, 1)[0] === CHUNK_FRAME_MAGIC;
}

/**
 * Decode a frame received from a peer. Never throws; checks type, magic, version, length bounds
 * and index range. The chunk's content is not verified here (see `TrackDownload.onChunk`).
 */
export function decodeChunkFrame(data: unknown): ChunkFrameDecode {
  if (!(data instanceof ArrayBuffer)) return { ok: false, reason: 'not an ArrayBuffer' };
  if (data.byteLength <= CHUNK_FRAME_HEADER_BYTES) return { ok: false, reason: `too short (${data.byteLength} bytes)` };
  if (data.byteLength > MAX_CHUNK_FRAME_BYTES) return { ok: false, reason: `too long (${data.byteLength} bytes)` };
  const bytes = new Uint8Array(data);
  if (bytes[0] !== CHUNK_FRAME_MAGIC) return { ok: false, reason: 'bad magic' };
  if (bytes[1] !== CHUNK_FRAME_VERSION) return { ok: false, reason: `unsupported version ${bytes[1]}` };
  let trackId = '';
  for (let i = 0; i < TRACK_ID_BYTES; i++) trackId += bytes[TRACK_ID_OFFSET + i].toString(16).padStart(2, '0');
  const index = new DataView(data).getUint32(INDEX_OFFSET);
  if (index >= MAX_CHUNK_COUNT) return { ok: false, reason: `index ${index} out of range` };
  return { ok: true, trackId, index, payload: bytes.subarray(CHUNK_FRAME_HEADER_BYTES) };
}
