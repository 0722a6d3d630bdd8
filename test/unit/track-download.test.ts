import { expect } from '@open-wc/testing';
import { DEFAULT_REQUEST_TIMEOUT_MS, TrackDownload, type DownloadProgress } from '../../src/sync/track-download.js';
import { buildManifest, chunkRange, type TrackManifest } from '../../src/sync/track-manifest.js';
import { randomTrack, sha256Hex, TransferSim, type SimSource } from '../sim/transfer-sim.js';

const KIB = 1024;

/** 3 MB track in 16 KiB chunks (184 chunks, the last one shorter). */
async function fixture(seed = 1, sizeBytes = 3_000_000, chunkBytes = 16 * KIB): Promise<{ bytes: Uint8Array; manifest: TrackManifest }> {
  const bytes = randomTrack(seed, sizeBytes);
  return { bytes, manifest: await buildManifest(bytes, sha256Hex, chunkBytes) };
}

async function expectIntact(download: TrackDownload, bytes: Uint8Array): Promise<void> {
  const result = await download.assemble();
  expect(result.ok, 'assembled').to.equal(true);
  if (result.ok) expect(result.bytes).to.deep.equal(bytes);
}

const HETEROGENEOUS: SimSource[] = [
  { peerId: 'fast', latencyMs: 5, bandwidthBytesPerMs: 4000 },
  { peerId: 'medium', latencyMs: 20, bandwidthBytesPerMs: 2000 },
  { peerId: 'slow', latencyMs: 60, bandwidthBytesPerMs: 1000 },
  { peerId: 'far', latencyMs: 150, bandwidthBytesPerMs: 500 },
];

function chunk(bytes: Uint8Array, manifest: TrackManifest, index: number): Uint8Array {
  const { startByte, endByte } = chunkRange(manifest, index);
  return bytes.slice(startByte, endByte);
}

describe('TrackDownload planner', () => {
  it('caps in-flight chunks per source and plans nothing without sources', async () => {
    const { manifest } = await fixture(2, 400_000);
    const download = new TrackDownload(manifest, sha256Hex);
    expect(download.nextRequests(0)).to.deep.equal([]);
    download.sourceJoined('a');
    expect(download.nextRequests(0)).to.deep.equal([{ peerId: 'a', indices: [0, 1, 2, 3, 4, 5, 6, 7] }]);
    expect(download.nextRequests(10)).to.deep.equal([]);
    download.sourceJoined('b');
    expect(download.nextRequests(20)).to.deep.equal([{ peerId: 'b', indices: [8, 9, 10, 11, 12, 13, 14, 15] }]);
  });

  it('asks only the header while focused on it, then from a focus index round to the start', async () => {
    const { bytes, manifest } = await fixture(4);
    const download = new TrackDownload(manifest, sha256Hex);
    download.sourceJoined('a');
    download.focus('head');
    expect(download.nextRequests(0)).to.deep.equal([{ peerId: 'a', indices: [0] }]);
    expect(download.nextRequests(1)).to.deep.equal([]);
    expect(await download.onChunk('a', 0, chunk(bytes, manifest, 0))).to.equal('accepted');
    expect(download.chunk(0)).to.deep.equal(chunk(bytes, manifest, 0));
    expect(download.chunk(1)).to.equal(undefined);
    download.focus(20);
    expect(download.nextRequests(2)).to.deep.equal([{ peerId: 'a', indices: [20, 21, 22, 23, 24, 25, 26, 27] }]);
    for (const index of [20, 21, 22, 24]) await download.onChunk('a', index, chunk(bytes, manifest, index));
    expect(download.runBytes(20)).to.equal(3 * 16 * KIB);
    const run = download.run(20);
    expect(run?.offsetBytes).to.equal(20 * 16 * KIB);
    expect(run?.bytes).to.deep.equal(bytes.slice(20 * 16 * KIB, 23 * 16 * KIB));
    expect(download.run(23)).to.equal(null);
    expect(download.runBytes(23)).to.equal(0);
    // 4 slots free (23, 25, 26, 27 in flight): the last two chunks, then round to 1 and 2.
    const last = manifest.chunkHashes.length - 1;
    download.focus(last - 1);
    expect(download.nextRequests(3)).to.deep.equal([{ peerId: 'a', indices: [1, 2, last - 1, last] }]);
    expect(() => download.focus(manifest.chunkHashes.length)).to.throw(RangeError);
  });

  it('re-plans timed-out requests after requestTimeoutMs and halves that source window', async () => {
    const { manifest } = await fixture(3, 400_000);
    const download = new TrackDownload(manifest, sha256Hex, { windowChunks: 4, requestTimeoutMs: 5000 });
    download.sourceJoined('a');
    expect(download.nextRequests(0)[0].indices).to.deep.equal([0, 1, 2, 3]);
    expect(download.nextRequests(4999)).to.deep.equal([]);
    expect(download.nextRequests(5000)).to.deep.equal([{ peerId: 'a', indices: [0, 1] }]);
    expect(download.sourceStats()[0]).to.include({ timeouts: 4, windowChunks: 2, inFlight: 2 });
  });

  it('classifies chunks: unexpected, bad-hash (ban + re-plan), accepted, duplicate', async () => {
    const { bytes, manifest } = await fixture(4);
    const download = new TrackDownload(manifest, sha256Hex);
    download.sourceJoined('liar');
    download.sourceJoined('good');
    const first = download.nextRequests(0);
    const liarIndices = first.find((r) => r.peerId === 'liar')?.indices ?? [];
    expect(liarIndices).to.have.length(8);
    expect(await download.onChunk('stranger', 0, chunk(bytes, manifest, 0))).to.equal('unexpected');
    expect(await download.onChunk('good', manifest.chunkHashes.length, new Uint8Array(10))).to.equal('unexpected');
    expect(await download.onChunk('good', -1, new Uint8Array(10))).to.equal('unexpected');
    const forged = chunk(bytes, manifest, liarIndices[0]);
    forged[100] ^= 1;
    expect(await download.onChunk('liar', liarIndices[0], forged)).to.equal('bad-hash');
    expect(download.bannedSources()).to.deep.equal(['liar']);
    expect(download.sourceJoined('liar')).to.equal(false);
    expect(await download.onChunk('liar', liarIndices[1], chunk(bytes, manifest, liarIndices[1]))).to.equal('unexpected');
    expect(await download.onChunk('good', 0, chunk(bytes, manifest, 0).subarray(1))).to.equal('bad-hash');
    download.sourceJoined('good2');
    const replanned = download.nextRequests(1).flatMap((r) => r.indices);
    expect(replanned, 'the first 8 missing, including the liar’s 0, 2, 4, 6').to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    const idx = replanned[0];
    expect(await download.onChunk('good2', idx, chunk(bytes, manifest, idx))).to.equal('accepted');
    expect(await download.onChunk('good2', idx, chunk(bytes, manifest, idx))).to.equal('duplicate');
    expect(download.progress().receivedBytes).to.equal(16 * KIB);
  });

  it('refuses to assemble an incomplete track or one whose manifest is self-inconsistent', async () => {
    const { bytes, manifest } = await fixture(5, 40_000);
    const lying: TrackManifest = { ...manifest, trackId: 'f'.repeat(64) };
    const download = new TrackDownload(lying, sha256Hex);
    download.sourceJoined('a');
    expect((await download.assemble()).ok).to.equal(false);
    for (const index of download.nextRequests(0)[0].indices) {
      expect(await download.onChunk('a', index, chunk(bytes, manifest, index))).to.equal('accepted');
    }
    expect(download.isComplete()).to.equal(true);
    expect(await download.assemble()).to.deep.equal({ ok: false, reason: 'track hash mismatch' });
  });

  it('rejects bad persisted progress and re-verifies restored chunks', async () => {
    const { bytes, manifest } = await fixture(6, 100_000);
    const bitmap = new Uint8Array([0b0000_0111]);
    const good: DownloadProgress = { trackId: manifest.trackId, chunkCount: 7, doneBitmap: bitmap };
    const fresh = (): TrackDownload => new TrackDownload(manifest, sha256Hex);
    const load = (i: number): Uint8Array | undefined => (i === 1 ? new Uint8Array(16 * KIB) : chunk(bytes, manifest, i));
    expect(await fresh().importProgress(null, load)).to.deep.equal({ ok: false, reason: 'not an object' });
    expect(await fresh().importProgress({ ...good, trackId: '0'.repeat(64) }, load)).to.deep.equal({ ok: false, reason: 'different track' });
    expect(await fresh().importProgress({ ...good, chunkCount: 8 }, load)).to.deep.equal({ ok: false, reason: 'chunk count mismatch' });
    expect(await fresh().importProgress({ ...good, doneBitmap: [7] }, load)).to.deep.equal({ ok: false, reason: 'bad bitmap' });
    const started = fresh();
    started.sourceJoined('a');
    started.nextRequests(0);
    expect((await started.importProgress(good, load)).ok).to.equal(false);
    const resumed = fresh();
    expect(await resumed.importProgress(good, load)).to.deep.equal({ ok: true, restoredChunks: 2, rejectedChunks: 1 });
    resumed.sourceJoined('a');
    expect(resumed.nextRequests(0)[0].indices).to.deep.equal([1, 3, 4, 5, 6]);
  });
});

describe('TrackDownload simulations', () => {
  it('completes from 4 heterogeneous sources; faster ones serve more', async () => {
    const { bytes, manifest } = await fixture();
    const sim = new TransferSim(new TrackDownload(manifest, sha256Hex), bytes, HETEROGENEOUS, 11);
    await sim.run(60_000);
    await expectIntact(sim.download, bytes);
    const shares = HETEROGENEOUS.map((s) => sim.share(s.peerId));
    console.log(`heterogeneous: done at ${sim.completedAtMs} ms; shares ${shares.map((x) => x.toFixed(2)).join('/')}; ${sim.outcomes.duplicate} duplicates`);
    expect(shares[0]).to.be.greaterThan(shares[1]);
    expect(shares[1]).to.be.greaterThan(shares[2]);
    expect(shares[3]).to.be.greaterThan(0);
    expect(sim.outcomes).to.include({ accepted: manifest.chunkHashes.length, 'bad-hash': 0, unexpected: 0 });
    expect(sim.outcomes.duplicate, 'endgame duplicates').to.be.at.most(4 * 8);
  });

  it('bans a lying source and completes from the others', async () => {
    for (const seed of [1, 2, 3]) {
      const { bytes, manifest } = await fixture(seed);
      const sources = [...HETEROGENEOUS.slice(1), { peerId: 'liar', latencyMs: 5, bandwidthBytesPerMs: 8000, corruptProbability: 0.3 }];
      const sim = new TransferSim(new TrackDownload(manifest, sha256Hex), bytes, sources, seed);
      await sim.run(60_000);
      await expectIntact(sim.download, bytes);
      expect(sim.download.bannedSources()).to.deep.equal(['liar']);
      expect(sim.outcomes['bad-hash'], `seed ${seed}`).to.equal(1);
      console.log(`liar seed ${seed}: done at ${sim.completedAtMs} ms; liar served ${sim.served.get('liar')} good chunks before its ban`);
    }
  });

  it('re-plans the chunks of a source that leaves mid-transfer', async () => {
    const { bytes, manifest } = await fixture(7);
    const sources = HETEROGENEOUS.map((s) => (s.peerId === 'fast' ? { ...s, leaveAtMs: 150 } : s));
    const sim = new TransferSim(new TrackDownload(manifest, sha256Hex), bytes, sources, 7);
    await sim.run(149);
    const fastInFlight = sim.download.sourceStats().find((s) => s.peerId === 'fast')?.inFlight ?? 0;
    expect(fastInFlight, 'fast had requests in flight when it left').to.be.greaterThan(0);
    const requestedBefore = sim.requested.get('fast')?.length;
    await sim.run(60_000);
    await expectIntact(sim.download, bytes);
    expect(sim.requested.get('fast')?.length, 'nothing asked after leaving').to.equal(requestedBefore);
    console.log(`leave: done at ${sim.completedAtMs} ms; fast served ${sim.served.get('fast')} before leaving`);
  });

  it('resumes from exported progress, requesting only the missing chunks', async () => {
    const { bytes, manifest } = await fixture(8);
    const first = new TransferSim(new TrackDownload(manifest, sha256Hex), bytes, HETEROGENEOUS, 8);
    await first.run(60_000, () => first.download.progress().fraction >= 0.5);
    const saved = first.download.exportProgress();
    const doneCount = first.stored.size;
    expect(doneCount).to.be.within(manifest.chunkHashes.length / 2, manifest.chunkHashes.length - 1);
    const resumed = new TrackDownload(manifest, sha256Hex);
    expect(await resumed.importProgress(saved, (i) => first.stored.get(i))).to.deep.equal({ ok: true, restoredChunks: doneCount, rejectedChunks: 0 });
    const second = new TransferSim(resumed, bytes, HETEROGENEOUS, 9);
    await second.run(60_000);
    await expectIntact(resumed, bytes);
    const asked = [...new Set([...second.requested.values()].flat())].sort((a, b) => a - b);
    const missing = manifest.chunkHashes.map((_, i) => i).filter((i) => !first.stored.has(i));
    expect(asked).to.deep.equal(missing);
  });

  it('idles without sources and resumes when one joins', async () => {
    const { bytes, manifest } = await fixture(9);
    const sources = HETEROGENEOUS.map((s) => ({ ...s, leaveAtMs: 200 }));
    const sim = new TransferSim(new TrackDownload(manifest, sha256Hex), bytes, sources, 9);
    await sim.run(1000);
    const stalled = sim.download.progress();
    expect(stalled.fraction).to.be.within(0.01, 0.99);
    expect(sim.download.nextRequests(20_000)).to.deep.equal([]);
    expect(sim.download.progress()).to.deep.equal(stalled);
    sim.join({ peerId: 'late', latencyMs: 30, bandwidthBytesPerMs: 3000 });
    await sim.run(60_000);
    await expectIntact(sim.download, bytes);
    expect(sim.served.get('late')).to.be.greaterThan(0);
    console.log(`rejoin: stalled at ${(stalled.fraction * 100).toFixed(0)} %, done at ${sim.completedAtMs} ms`);
  });

  it('spreads the load over 3 equal sources (each ≥ 20 %)', async () => {
    for (const seed of [21, 22, 23, 24]) {
      const { bytes, manifest } = await fixture(seed);
      const sources = ['a', 'b', 'c'].map((peerId) => ({ peerId, latencyMs: 20, bandwidthBytesPerMs: 1000 }));
      const sim = new TransferSim(new TrackDownload(manifest, sha256Hex), bytes, sources, seed);
      await sim.run(60_000);
      await expectIntact(sim.download, bytes);
      const shares = sources.map((s) => sim.share(s.peerId));
      console.log(`equal seed ${seed}: done at ${sim.completedAtMs} ms; shares ${shares.map((x) => x.toFixed(3)).join('/')}; ${sim.outcomes.duplicate} duplicates`);
      for (const share of shares) expect(share, `seed ${seed}`).to.be.at.least(0.2);
    }
  });

  it('finishes the tail without waiting for a silent source (endgame)', async () => {
    const { bytes, manifest } = await fixture(10);
    const sources = [...HETEROGENEOUS.slice(0, 2), { peerId: 'mute', latencyMs: 10, bandwidthBytesPerMs: 1000, silent: true }];
    const sim = new TransferSim(new TrackDownload(manifest, sha256Hex), bytes, sources, 10);
    await sim.run(60_000);
    await expectIntact(sim.download, bytes);
    expect(sim.completedAtMs).to.be.below(DEFAULT_REQUEST_TIMEOUT_MS);
    console.log(`one silent: done at ${sim.completedAtMs} ms; ${sim.outcomes.duplicate} duplicates`);
  });

  it('routes around two silent sources via timeouts', async () => {
    const { bytes, manifest } = await fixture(11);
    const mute = { latencyMs: 10, bandwidthBytesPerMs: 1000, silent: true };
    const sources = [HETEROGENEOUS[1], { ...mute, peerId: 'mute1' }, { ...mute, peerId: 'mute2' }];
    const sim = new TransferSim(new TrackDownload(manifest, sha256Hex), bytes, sources, 11);
    await sim.run(60_000);
    await expectIntact(sim.download, bytes);
    const mutes = sim.download.sourceStats().filter((s) => s.peerId.startsWith('mute'));
    expect(mutes.every((s) => s.timeouts > 0 && s.windowChunks < 8)).to.equal(true);
    expect(sim.completedAtMs).to.be.below(3 * DEFAULT_REQUEST_TIMEOUT_MS);
    console.log(`two silent: done at ${sim.completedAtMs} ms; timeouts ${mutes.map((s) => s.timeouts).join('/')}`);
  });
});
