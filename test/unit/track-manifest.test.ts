import { expect } from '@open-wc/testing';
import {
  CHUNK_FRAME_HEADER_BYTES,
  CHUNK_FRAME_MAGIC,
  decodeChunkFrame,
  encodeChunkFrame,
  isChunkFrame,
  MAX_CHUNK_FRAME_BYTES,
} from '../../src/sync/chunk-frame.js';
import {
  buildManifest,
  chunkRange,
  MAX_CHUNK_BYTES,
  MAX_TRACK_BYTES,
  MIN_CHUNK_BYTES,
  SHA256_HEX_PATTERN,
  validateManifest,
  type TrackManifest,
} from '../../src/sync/track-manifest.js';
import { Rng } from '../sim/rng.js';
import { randomTrack, sha256Hex } from '../sim/transfer-sim.js';

const KIB = 1024;

describe('track manifest', () => {
  it('builds chunk hashes and ranges; the last chunk is shorter', async () => {
    const bytes = randomTrack(1, 100_000);
    const manifest = await buildManifest(bytes, sha256Hex, 16 * KIB);
    expect(manifest.trackId).to.equal(await sha256Hex(bytes));
    expect(manifest.chunkHashes).to.have.length(7);
    expect(manifest.chunkHashes[6]).to.equal(await sha256Hex(bytes.subarray(6 * 16 * KIB)));
    expect(chunkRange(manifest, 0)).to.deep.equal({ startByte: 0, endByte: 16 * KIB });
    expect(chunkRange(manifest, 6)).to.deep.equal({ startByte: 6 * 16 * KIB, endByte: 100_000 });
    expect(() => chunkRange(manifest, 7)).to.throw(RangeError);
    expect(() => chunkRange(manifest, 0.5)).to.throw(RangeError);
    expect((await buildManifest(bytes, sha256Hex)).chunkHashes).to.have.length(2);
    expect(validateManifest(JSON.parse(JSON.stringify(manifest)))).to.deep.equal({ ok: true, manifest });
  });

  it('refuses to build from empty input or a bad chunk size', async () => {
    for (const [size, chunk] of [[0, 64 * KIB], [10, MIN_CHUNK_BYTES - 1], [10, MAX_CHUNK_BYTES + 1], [10, 20_000.5]]) {
      let error: unknown = null;
      await buildManifest(new Uint8Array(size), sha256Hex, chunk).catch((e: unknown) => (error = e));
      expect(error, `size ${size}, chunk ${chunk}`).to.be.instanceOf(RangeError);
    }
  });

  it('rejects bad manifests with reasons', () => {
    const hex = 'a'.repeat(64);
    const good = { trackId: hex, sizeBytes: 40_000, chunkBytes: 16 * KIB, chunkHashes: [hex, hex, hex] };
    expect(validateManifest(good).ok).to.equal(true);
    const bad: [unknown, string][] = [
      [null, 'not an object'],
      [[good], 'not an object'],
      [{ ...good, trackId: hex.toUpperCase() }, 'trackId'],
      [{ ...good, sizeBytes: '40000' }, 'numbers'],
      [{ ...good, sizeBytes: 0 }, 'positive'],
      [{ ...good, sizeBytes: MAX_TRACK_BYTES + 1 }, 'exceeds'],
      [{ ...good, chunkBytes: 1 }, 'chunkBytes'],
      [{ ...good, chunkHashes: 'x' }, 'not an array'],
      [{ ...good, chunkHashes: [hex, hex] }, 'expected 3'],
      [{ ...good, chunkHashes: [hex, hex, 'zz'] }, 'chunk hash 2'],
      [new Proxy({}, { get: () => { throw new Error('boom'); } }), 'unreadable'],
    ];
    for (const [input, reason] of bad) {
      const result = validateManifest(input);
      expect(result.ok, reason).to.equal(false);
      if (!result.ok) expect(result.reason).to.contain(reason);
    }
  });

  it('never throws on thousands of mutated manifests; accepted ones keep the invariants', async () => {
    const rng = new Rng(42);
    const base = await buildManifest(randomTrack(2, 70_000), sha256Hex, 16 * KIB);
    const values: unknown[] = [null, true, -1, 0, 1.5, 2 ** 53, NaN, '', 'x', [], {}, MIN_CHUNK_BYTES, MAX_CHUNK_BYTES, 1e12];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown> & { chunkHashes: unknown[] };
      for (let m = rng.int(1, 3); m > 0; m--) {
        const key = rng.pick(['trackId', 'sizeBytes', 'chunkBytes', 'chunkHashes', 'hash', 'push', 'pop']);
        const hashes = Array.isArray(copy.chunkHashes) ? copy.chunkHashes : [];
        if (key === 'hash') hashes[rng.int(0, 4)] = rng.pick([...values, base.trackId]);
        else if (key === 'push') hashes.push(base.trackId);
        else if (key === 'pop') hashes.pop();
        else copy[key] = rng.chance(0.2) ? undefined : rng.pick(values);
      }
      const result = validateManifest(rng.chance(0.05) ? rng.pick(values) : copy);
      if (!result.ok) continue;
      accepted++;
      const m: TrackManifest = result.manifest;
      expect(m.chunkHashes.length).to.equal(Math.ceil(m.sizeBytes / m.chunkBytes));
      expect(m.chunkHashes.every((h) => SHA256_HEX_PATTERN.test(h))).to.equal(true);
    }
    expect(accepted, 'some mutations are still valid (e.g. a hash swapped for another)').to.be.greaterThan(0);
  });
});

describe('chunk frame', () => {
  const trackId = '0120006789abcdef'.repeat(4);

  it('round-trips header and payload', () => {
    const payload = randomTrack(3, 16 * KIB);
    const frame = encodeChunkFrame(trackId, 12000, payload);
    expect(frame.byteLength).to.equal(CHUNK_FRAME_HEADER_BYTES + payload.length);
    expect(isChunkFrame(frame)).to.equal(true);
    expect(isChunkFrame('{"v":1}')).to.equal(false);
    const decoded = decodeChunkFrame(frame);
    expect(decoded.ok).to.equal(true);
    if (!decoded.ok) return;
    expect(decoded.trackId).to.equal(trackId);
    expect(decoded.index).to.equal(12000);
    expect(decoded.payload).to.deep.equal(payload);
    expect(() => encodeChunkFrame('xyz', 0, payload)).to.throw(RangeError);
    expect(() => encodeChunkFrame(trackId, -1, payload)).to.throw(RangeError);
    expect(() => encodeChunkFrame(trackId, 0, new Uint8Array(0))).to.throw(RangeError);
    expect(() => encodeChunkFrame(trackId, 0, new Uint8Array(MAX_CHUNK_BYTES + 1))).to.throw(RangeError);
  });

  it('rejects garbage with reasons', () => {
    const frame = new Uint8Array(encodeChunkFrame(trackId, 7, new Uint8Array([1, 2, 3])));
    const withByte = (at: number, value: number): ArrayBuffer => {
      const copy = frame.slice();
      copy[at] = value;
      return copy.buffer;
    };
    const bad: [unknown, string][] = [
      ['text', 'not an ArrayBuffer'],
      [frame, 'not an ArrayBuffer'],
      [new ArrayBuffer(0), 'too short'],
      [frame.slice(0, CHUNK_FRAME_HEADER_BYTES).buffer, 'too short'],
      [new ArrayBuffer(MAX_CHUNK_FRAME_BYTES + 1), 'too long'],
      [withByte(0, CHUNK_FRAME_MAGIC ^ 1), 'magic'],
      [withByte(1, 99), 'version'],
      [withByte(34, 0xff), 'out of range'],
    ];
    for (const [input, reason] of bad) {
      const result = decodeChunkFrame(input);
      expect(result.ok, reason).to.equal(false);
      if (!result.ok) expect(result.reason).to.contain(reason);
    }
  });

  it('never throws on thousands of random and mutated frames', () => {
    const rng = new Rng(7);
    const valid = new Uint8Array(encodeChunkFrame(trackId, 3, randomTrack(4, 1000)));
    let decoded = 0;
    for (let i = 0; i < 5000; i++) {
      let bytes: Uint8Array;
      if (rng.chance(0.3)) {
        bytes = new Uint8Array(rng.int(0, 200));
        for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(0, 255);
      } else {
        bytes = valid.slice(0, rng.chance(0.3) ? rng.int(0, valid.length) : valid.length);
        for (let m = rng.int(1, 4); m > 0 && bytes.length > 0; m--) bytes[rng.int(0, bytes.length - 1)] = rng.int(0, 255);
      }
      const result = decodeChunkFrame(bytes.buffer);
      if (!result.ok) continue;
      decoded++;
      expect(result.payload.length).to.be.within(1, MAX_CHUNK_BYTES);
      expect(SHA256_HEX_PATTERN.test(result.trackId)).to.equal(true);
    }
    expect(decoded, 'payload-only mutations still decode (the manifest hash catches them)').to.be.greaterThan(0);
  });
});
