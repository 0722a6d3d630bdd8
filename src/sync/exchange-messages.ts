/**
 * Wire messages of track distribution (see protocol.ts for the envelope). Chunk payloads travel
 * separately as binary frames (chunk-frame.ts).
 * - `have`: the complete tracks a member can serve (sent on change and with each status).
 * - `manifest-request` / `manifest`: a track's chunk list, verified per chunk on arrival.
 * - `chunk-request`: chunks wanted from this peer; answered by binary frames, or `chunk-missing`.
 */
import type { FieldSpec } from './protocol-fields.js';
import { SHA256_HEX_PATTERN, MAX_CHUNK_COUNT, validateManifest, type TrackManifest } from './track-manifest.js';

/** Most track ids in one `have`. */
export const MAX_HAVE_TRACKS = 2000;
/** Most chunk indices in one request. */
export const MAX_REQUEST_CHUNKS = 64;

export interface HaveMessage {
  type: 'have';
  trackIds: string[];
}
export interface ManifestRequestMessage {
  type: 'manifest-request';
  trackId: string;
}
export interface ManifestMessage {
  type: 'manifest';
  manifest: TrackManifest;
}
export interface ChunkRequestMessage {
  type: 'chunk-request';
  trackId: string;
  indices: number[];
}
export interface ChunkMissingMessage {
  type: 'chunk-missing';
  trackId: string;
  indices: number[];
}

export type ExchangeMessage = HaveMessage | ManifestRequestMessage | ManifestMessage | ChunkRequestMessage | ChunkMissingMessage;

const ok = (value: unknown) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });

const trackId: FieldSpec = (v) => (typeof v === 'string' && SHA256_HEX_PATTERN.test(v) ? ok(v) : bad('must be a track id (sha-256 hex)'));

const trackIds: FieldSpec = (v) => {
  if (!Array.isArray(v) || v.length > MAX_HAVE_TRACKS) return bad(`must be an array of at most ${MAX_HAVE_TRACKS} track ids`);
  return v.every((id) => typeof id === 'string' && SHA256_HEX_PATTERN.test(id)) ? ok([...new Set(v as string[])]) : bad('must contain only track ids');
};

const indices: FieldSpec = (v) => {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_REQUEST_CHUNKS) return bad(`must be an array of 1–${MAX_REQUEST_CHUNKS} chunk indices`);
  return v.every((i) => Number.isSafeInteger(i) && i >= 0 && i < MAX_CHUNK_COUNT) ? ok([...v]) : bad('must contain only chunk indices');
};

const manifest: FieldSpec = (v) => {
  const checked = validateManifest(v);
  return checked.ok ? ok(checked.manifest) : bad(`is invalid: ${checked.reason}`);
};

/** Field checks of each exchange message type. */
export const exchangeSchemas: { readonly [K in ExchangeMessage['type']]: Readonly<Record<string, FieldSpec>> } = {
  have: { trackIds },
  'manifest-request': { trackId },
  manifest: { manifest },
  'chunk-request': { trackId, indices },
  'chunk-missing': { trackId, indices },
};
