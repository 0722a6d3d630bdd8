import { expect } from '@open-wc/testing';
import type { RoomExtension } from '../../src/room/room-extension.js';
import { TrackExchange, type ExchangeTuning, type TransferView } from '../../src/room/track-exchange.js';
import { encodeChunkFrame } from '../../src/sync/chunk-frame.js';
import { chunkBytesFor } from '../../src/sync/exchange-policy.js';
import type { RoomMessage } from '../../src/sync/protocol.js';
import { buildManifest, chunkRange, type TrackManifest } from '../../src/sync/track-manifest.js';
import { FakeNetwork, type FakeNode, type NodeProfile } from '../fakes/fake-links.js';
import { MemoryTrackSource } from '../fakes/memory-track-source.js';
import { randomTrack, sha256Hex } from '../sim/transfer-sim.js';

/** 2 MB: 31 chunks of 64 KiB, the last one shorter. */
const SIZE = 2_000_000;

interface Speaker {
  readonly node: FakeNode;
  readonly source: MemoryTrackSource;
  readonly exchange: TrackExchange;
}

/** Resolve once `check()` holds, re-checking on the exchange's changes and on every network tick. */
function until(net: FakeNetwork, exchange: TrackExchange, check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const test = (): void => {
      if (!check()) return;
      done();
      resolve();
    };
    const done = (): void => {
      clearTimeout(timer);
      exchange.removeEventListener('change', test);
      net.removeEventListener('tick', test);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify({ transfers: exchange.transfers(), stats: exchange.stats() })}`));
    }, timeoutMs);
    exchange.addEventListener('change', test);
    net.addEventListener('tick', test);
    test();
  });
}

/** Resolve on the exchange's 'track-complete' for `trackId`. */
function completion(exchange: TrackExchange, trackId: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (event: Event): void => {
      if ((event as CustomEvent<{ trackId: string }>).detail.trackId !== trackId) return;
      exchange.removeEventListener('track-complete', listener);
      resolve();
    };
    exchange.addEventListener('track-complete', listener);
  });
}

/** A peer that advertises `trackId` but serves a manifest and chunks of other bytes (optionally no chunks at all). */
class LyingHolder implements RoomExtension {
  private constructor(
    private readonly node: FakeNode,
    private readonly trackId: string,
    private readonly fake: Uint8Array,
    private readonly manifest: TrackManifest,
    private readonly servesChunks: boolean,
  ) {}

  static async attach(node: FakeNode, trackId: string, seed: number, servesChunks: boolean): Promise<LyingHolder> {
    const fake = randomTrack(seed, SIZE);
    const built = await buildManifest(fake, sha256Hex, chunkBytesFor(SIZE));
    const liar = new LyingHolder(node, trackId, fake, { ...built, trackId }, servesChunks);
    node.extension = liar;
    return liar;
  }

  peerUp(peerId: string): void {
    this.node.send(peerId, { type: 'have', trackIds: [this.trackId] });
  }

  message(peerId: string, message: RoomMessage): void {
    if (message.type === 'manifest-request') this.node.send(peerId, { type: 'manifest', manifest: this.manifest });
    if (message.type !== 'chunk-request' || !this.servesChunks) return;
    for (const index of message.indices) {
      const { startByte, endByte } = chunkRange(this.manifest, index);
      this.node.sendBinary(peerId, encodeChunkFrame(this.trackId, index, this.fake.subarray(startByte, endByte)));
    }
  }
}

describe('TrackExchange over an in-memory network', () => {
  let net: FakeNetwork;
  let exchanges: TrackExchange[] = [];
  beforeEach(() => {
    net = new FakeNetwork(20);
  });
  afterEach(() => {
    for (const exchange of exchanges) exchange.dispose();
    exchanges = [];
    net.dispose();
  });

  function speaker(id: string, source = new MemoryTrackSource(sha256Hex), profile: NodeProfile = {}, tuning: Partial<ExchangeTuning> = {}, spare?: () => string | null): Speaker {
    const node = net.add(id, profile);
    const exchange = new TrackExchange({ links: node, source, hash: sha256Hex, now: () => performance.now(), tuning, spare });
    node.extension = exchange;
    exchanges.push(exchange);
    return { node, source, exchange };
  }

  async function holder(id: string, bytes: Uint8Array, profile: NodeProfile = {}): Promise<{ speaker: Speaker; trackId: string }> {
    const source = new MemoryTrackSource(sha256Hex);
    const trackId = await source.add(bytes);
    return { speaker: speaker(id, source, profile), trackId };
  }

  async function expectHolds(source: MemoryTrackSource, trackId: string): Promise<void> {
    const bytes = source.tracks.get(trackId);
    expect(bytes, 'track imported').to.not.equal(undefined);
    expect(await sha256Hex(bytes as Uint8Array)).to.equal(trackId);
  }

  it('one holder → one receiver: identical bytes, progress 0 → 1 without going back', async () => {
    const bytes = randomTrack(1, SIZE);
    const { speaker: origin, trackId } = await holder('origin', bytes, { uploadBytesPerMs: 20_000, latencyMs: 5 });
    const receiver = speaker('receiver');
    const fractions: number[] = [];
    const phases: TransferView['phase'][] = [];
    receiver.exchange.addEventListener('change', () => {
      const view = receiver.exchange.transfers()[0];
      if (view === undefined) return;
      fractions.push(view.fraction);
      if (phases.at(-1) !== view.phase) phases.push(view.phase);
    });
    const done = completion(receiver.exchange, trackId);
    const startMs = performance.now();
    receiver.exchange.want([trackId]);
    net.connect(origin.node, receiver.node);
    await done;
    const elapsedMs = performance.now() - startMs;
    await expectHolds(receiver.source, trackId);
    expect(fractions[0]).to.equal(0);
    expect(fractions.at(-1)).to.equal(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).to.be.at.least(fractions[i - 1]);
    expect(phases).to.deep.equal(['waiting', 'manifest', 'receiving', 'verifying']);
    expect(receiver.exchange.transfers()).to.deep.equal([]);
    expect(receiver.exchange.stats().receivedBytes).to.equal(SIZE);
    expect(origin.exchange.stats().servedBytes).to.be.at.least(SIZE);
    expect(receiver.source.partialChunks.has(trackId), 'partial dropped').to.equal(false);
    console.log(`[track-exchange] 2 MB over a 20 MB/s, 5 ms link in ${elapsedMs.toFixed(0)} ms (${(SIZE / 1000 / elapsedMs).toFixed(1)} MB/s)`);
  });

  it('four receivers joining one after another: receivers serve each other, the origin uploads < 2.5× the track', async () => {
    const size = 10_000_000;
    const bytes = randomTrack(2, size);
    const profile: NodeProfile = { uploadBytesPerMs: 10_000, latencyMs: 5 };
    const { speaker: origin, trackId } = await holder('origin', bytes, profile);
    const joined: Speaker[] = [origin];
    for (const id of ['r1', 'r2', 'r3', 'r4']) {
      const receiver = speaker(id, undefined, profile);
      const done = completion(receiver.exchange, trackId);
      receiver.exchange.want([trackId]);
      for (const other of joined) net.connect(other.node, receiver.node);
      await done;
      await expectHolds(receiver.source, trackId);
      joined.push(receiver);
    }
    const originFactor = origin.exchange.stats().servedBytes / size;
    const servedByReceivers = joined.slice(1).map((s) => s.exchange.stats().servedBytes / size);
    const totalFactor = joined.reduce((sum, s) => sum + s.exchange.stats().servedBytes, 0) / size;
    const duplicateFactor = joined.reduce((sum, s) => sum + s.exchange.stats().duplicateBytes, 0) / size;
    console.log(`[track-exchange] origin upload ${originFactor.toFixed(2)}× the track; receivers served ${servedByReceivers.map((f) => f.toFixed(2)).join(', ')}×; all uploads ${totalFactor.toFixed(2)}× for 4 copies, ${duplicateFactor.toFixed(2)}× received as endgame duplicates`);
    expect(originFactor).to.be.below(2.5);
    expect(servedByReceivers.slice(0, 3).every((f) => f > 0.2), 'earlier receivers served later ones').to.equal(true);
  });

  for (const corruptorFirst of [true, false]) {
    it(`bans a peer sending corrupted chunks and completes from others (corruptor ${corruptorFirst ? 'asked for the manifest' : 'joined second'})`, async () => {
      const bytes = randomTrack(3, SIZE);
      const { speaker: honest, trackId } = await holder('honest', bytes, { uploadBytesPerMs: 10_000 });
      const { speaker: corruptor } = await holder('corruptor', bytes, { uploadBytesPerMs: 10_000 });
      corruptor.node.corruptFrames = true;
      const receiver = speaker('receiver');
      const done = completion(receiver.exchange, trackId);
      receiver.exchange.want([trackId]);
      for (const s of corruptorFirst ? [corruptor, honest] : [honest, corruptor]) net.connect(s.node, receiver.node);
      await done;
      await expectHolds(receiver.source, trackId);
      const stats = receiver.exchange.stats();
      expect(stats.bannedPeers).to.deep.equal(['corruptor']);
      expect(stats.badChunks).to.be.at.least(1);
      expect(stats.receivedBytes).to.be.at.least(SIZE);
    });
  }

  it('asks the spared peer (the clock authority) for no chunks while another holder has the track, and for all when none has', async () => {
    const bytes = randomTrack(9, SIZE);
    const { speaker: leader, trackId } = await holder('leader', bytes, { uploadBytesPerMs: 20_000, latencyMs: 5 });
    const { speaker: other } = await holder('other', bytes, { uploadBytesPerMs: 20_000, latencyMs: 5 });
    const spared = (id: string): Speaker => speaker(id, undefined, {}, {}, () => 'leader');
    const joiner = spared('joiner');
    const done = completion(joiner.exchange, trackId);
    joiner.exchange.want([trackId]);
    net.connect(leader.node, joiner.node);
    net.connect(other.node, joiner.node);
    await done;
    await expectHolds(joiner.source, trackId);
    expect(leader.exchange.stats().servedBytes, 'the leader served no chunk').to.equal(0);
    expect(other.exchange.stats().servedBytes).to.be.at.least(SIZE);
    // The leader alone holds it: it serves.
    const lone = spared('lone');
    const loneDone = completion(lone.exchange, trackId);
    lone.exchange.want([trackId]);
    net.connect(leader.node, lone.node);
    await loneDone;
    await expectHolds(lone.source, trackId);
    expect(leader.exchange.stats().servedBytes).to.be.at.least(SIZE);
  });

  it('a lying manifest is caught at assembly: its sender is banned and the track completes from another holder', async () => {
    const bytes = randomTrack(4, SIZE);
    const { speaker: honest, trackId } = await holder('honest', bytes);
    const receiver = speaker('receiver');
    await LyingHolder.attach(net.add('liar'), trackId, 44, true);
    receiver.exchange.want([trackId]);
    net.connect(net.nodes.get('liar') as FakeNode, receiver.node);
    await until(net, receiver.exchange, () => receiver.exchange.stats().bannedPeers.includes('liar'), 'the liar banned');
    await until(net, receiver.exchange, () => receiver.exchange.transfers()[0]?.phase === 'waiting', 'waiting again');
    expect(receiver.exchange.transfers()[0].error).to.match(/no other speaker offers this track \(1 sent a bad manifest\)/);
    expect(receiver.source.partialChunks.has(trackId), 'lying chunks dropped').to.equal(false);
    expect(receiver.source.tracks.has(trackId)).to.equal(false);
    const done = completion(receiver.exchange, trackId);
    net.connect(honest.node, receiver.node);
    await done;
    await expectHolds(receiver.source, trackId);
    expect(receiver.exchange.stats().bannedPeers).to.deep.equal(['liar']);
  });

  it('a lying manifest whose sender serves nothing is doubted once the honest holder is banned by it, and the track completes', async () => {
    const bytes = randomTrack(5, SIZE);
    const { speaker: honest, trackId } = await holder('honest', bytes);
    const receiver = speaker('receiver', undefined, {}, { requestTimeoutMs: 500 });
    await LyingHolder.attach(net.add('liar'), trackId, 55, false);
    const done = completion(receiver.exchange, trackId);
    receiver.exchange.want([trackId]);
    net.connect(net.nodes.get('liar') as FakeNode, receiver.node);
    await until(net, receiver.exchange, () => receiver.exchange.transfers()[0]?.phase === 'receiving', 'the liar manifest in use');
    net.connect(honest.node, receiver.node);
    await done;
    await expectHolds(receiver.source, trackId);
    expect(receiver.exchange.stats().badChunks).to.be.at.least(1);
  });

  it('skips a holder that never answers the manifest request, and survives a source leaving mid-download', async () => {
    const bytes = randomTrack(15, SIZE);
    const { speaker: steady, trackId } = await holder('steady', bytes, { uploadBytesPerMs: 2_000 });
    const { speaker: leaving } = await holder('leaving', bytes, { uploadBytesPerMs: 2_000 });
    const mute = net.add('mute');
    mute.extension = { peerUp: (peerId) => mute.send(peerId, { type: 'have', trackIds: [trackId] }) };
    const receiver = speaker('receiver', undefined, {}, { manifestTimeoutMs: 300, requestTimeoutMs: 500 });
    receiver.exchange.want([trackId]);
    net.connect(mute, receiver.node);
    await until(net, receiver.exchange, () => receiver.exchange.transfers()[0]?.phase === 'manifest', 'asking the mute holder');
    net.connect(leaving.node, receiver.node);
    net.connect(steady.node, receiver.node);
    await until(net, receiver.exchange, () => (receiver.exchange.transfers()[0]?.fraction ?? 0) >= 0.3, 'a third of the track');
    expect(receiver.exchange.transfers()[0].sources).to.equal(3);
    const done = completion(receiver.exchange, trackId);
    net.disconnect(leaving.node, receiver.node);
    await done;
    await expectHolds(receiver.source, trackId);
    expect(steady.exchange.stats().servedBytes).to.be.above(0);
    expect(leaving.exchange.stats().servedBytes).to.be.above(0);
    expect(mute.messagesSent.every((m) => m.message.type === 'have')).to.equal(true);
  });

  it('resumes after a reload from the persisted chunks', async () => {
    const bytes = randomTrack(6, SIZE);
    const { speaker: origin, trackId } = await holder('origin', bytes, { uploadBytesPerMs: 2_000 });
    const first = speaker('receiver-1');
    first.exchange.want([trackId]);
    net.connect(origin.node, first.node);
    await until(net, first.exchange, () => (first.exchange.transfers()[0]?.fraction ?? 0) >= 0.5, 'half the track');
    first.exchange.dispose();
    net.remove(first.node);
    const second = speaker('receiver-2', first.source);
    let restoredFraction = -1;
    second.exchange.addEventListener('change', () => {
      const view = second.exchange.transfers()[0];
      if (restoredFraction < 0 && view?.phase === 'receiving') restoredFraction = view.fraction;
    });
    const done = completion(second.exchange, trackId);
    second.exchange.want([trackId]);
    net.connect(origin.node, second.node);
    await done;
    await expectHolds(second.source, trackId);
    const received = second.exchange.stats().receivedBytes;
    console.log(`[track-exchange] resume: restored ${(restoredFraction * 100).toFixed(0)} %, fetched ${received} of ${SIZE} bytes after the reload`);
    expect(restoredFraction).to.be.at.least(0.4);
    expect(received).to.be.above(0);
    expect(received).to.be.below(SIZE * 0.6);
  });

  it('backpressure: nothing is sent while the link buffers above the high-water mark, then it drains', async () => {
    const bytes = randomTrack(7, SIZE);
    const { speaker: origin, trackId } = await holder('origin', bytes);
    const receiver = speaker('receiver');
    origin.node.stuck.set('receiver', 2 * 1024 * 1024);
    const done = completion(receiver.exchange, trackId);
    receiver.exchange.want([trackId]);
    net.connect(origin.node, receiver.node);
    await until(net, origin.exchange, () => origin.exchange.stats().queuedChunks > 0, 'chunks queued at the origin');
    await net.ticks(10);
    expect(origin.node.framesSent.get('receiver') ?? 0).to.equal(0);
    expect(origin.exchange.stats().queuedChunks).to.be.within(1, 32);
    origin.node.stuck.delete('receiver');
    await done;
    await expectHolds(receiver.source, trackId);
  });

  it('a track nobody has waits with a clear error, and completes when a holder appears', async () => {
    const bytes = randomTrack(8, SIZE);
    const receiver = speaker('receiver');
    const trackId = await sha256Hex(bytes);
    receiver.exchange.want([trackId]);
    const view = receiver.exchange.transfers()[0];
    expect(view).to.include({ trackId, phase: 'waiting', fraction: 0, sources: 0, totalBytes: null });
    expect(view.error).to.equal('no speaker in the room has this track');
    const { speaker: late } = await holder('late', bytes);
    const done = completion(receiver.exchange, trackId);
    net.connect(late.node, receiver.node);
    await done;
    await expectHolds(receiver.source, trackId);
  });

  it('want() changes pause unwanted downloads (partial data kept) and resume them later', async () => {
    const first = randomTrack(9, SIZE);
    const second = randomTrack(10, 300_000);
    const { speaker: origin, trackId } = await holder('origin', first, { uploadBytesPerMs: 2_000 });
    const otherId = await origin.source.add(second);
    origin.exchange.libraryChanged();
    const receiver = speaker('receiver');
    receiver.exchange.want([trackId]);
    net.connect(origin.node, receiver.node);
    await until(net, receiver.exchange, () => (receiver.exchange.transfers()[0]?.fraction ?? 0) >= 0.2, 'a fifth of the first track');
    const otherDone = completion(receiver.exchange, otherId);
    receiver.exchange.want([otherId]);
    expect(receiver.exchange.transfers().map((t) => t.trackId)).to.deep.equal([otherId]);
    const requestsBefore = receiver.node.messagesSent.length;
    await otherDone;
    const laterRequests = receiver.node.messagesSent.slice(requestsBefore).filter((m) => m.message.type === 'chunk-request' && m.message.trackId === trackId);
    expect(laterRequests).to.deep.equal([]);
    expect(receiver.source.partialProgress.has(trackId), 'paused progress persisted').to.equal(true);
    const receivedBefore = receiver.exchange.stats().receivedBytes;
    const done = completion(receiver.exchange, trackId);
    receiver.exchange.want([trackId, otherId]);
    await done;
    await expectHolds(receiver.source, trackId);
    await expectHolds(receiver.source, otherId);
    expect(receiver.exchange.stats().receivedBytes - receivedBefore).to.be.below(SIZE * 0.85);
  });

  it('the first wanted track gets the bandwidth: no chunk of the next is asked for until the first is in', async () => {
    const next = randomTrack(11, SIZE);
    const current = randomTrack(12, 600_000);
    const { speaker: origin, trackId: nextId } = await holder('origin', next, { uploadBytesPerMs: 2_000 });
    const currentId = await origin.source.add(current);
    origin.exchange.libraryChanged();
    const receiver = speaker('receiver');
    receiver.exchange.want([currentId, nextId]);
    net.connect(origin.node, receiver.node);
    await until(net, receiver.exchange, () => receiver.exchange.transfers().find((t) => t.trackId === currentId)?.phase === 'verifying', 'every chunk of the current track in');
    const early = receiver.node.messagesSent.filter((m) => m.message.type === 'chunk-request' && m.message.trackId === nextId);
    expect(early, 'chunk requests for the next track while the current one was receiving').to.deep.equal([]);
    expect(receiver.exchange.transfers().map((t) => t.trackId), 'the next track is still wanted').to.include(nextId);
    await completion(receiver.exchange, nextId);
    await expectHolds(receiver.source, nextId);
  });

  it('a paused fetch asks for no chunks (those in flight still come) and completes once resumed', async () => {
    const bytes = randomTrack(13, SIZE);
    const { speaker: origin, trackId } = await holder('origin', bytes, { uploadBytesPerMs: 2_000, latencyMs: 2 });
    const receiver = speaker('receiver');
    const requested = (): Set<number> => new Set(receiver.node.messagesSent.flatMap((m) => (m.message.type === 'chunk-request' && m.message.trackId === trackId ? m.message.indices : [])));
    const received = (): number => receiver.exchange.transfers().find((t) => t.trackId === trackId)?.receivedBytes ?? 0;
    receiver.exchange.want([trackId]);
    net.connect(origin.node, receiver.node);
    await until(net, receiver.exchange, () => received() > 0, 'a first chunk');
    receiver.exchange.pause(trackId, 60_000);
    const asked = requested();
    const chunkBytes = chunkBytesFor(SIZE);
    const askedBytes = [...asked].reduce((sum, i) => sum + Math.min(chunkBytes, SIZE - i * chunkBytes), 0);
    expect(askedBytes, 'the test needs chunks left to ask for').to.be.below(SIZE);
    await until(net, receiver.exchange, () => received() >= askedBytes, 'the chunks in flight at the pause');
    await net.ticks(5);
    expect([...requested()].sort((a, b) => a - b), 'no request while paused').to.deep.equal([...asked].sort((a, b) => a - b));
    const done = completion(receiver.exchange, trackId);
    receiver.exchange.pause(trackId, 0);
    await done;
    await expectHolds(receiver.source, trackId);
  });

  it('ignores and counts garbage frames, frames of unwanted tracks and frames from non-sources', async () => {
    const bytes = randomTrack(11, SIZE);
    const { speaker: origin, trackId } = await holder('origin', bytes, { uploadBytesPerMs: 5_000 });
    const receiver = speaker('receiver');
    const vandal = net.add('vandal');
    receiver.exchange.want([trackId]);
    net.connect(origin.node, receiver.node);
    net.connect(vandal, receiver.node);
    await until(net, receiver.exchange, () => receiver.exchange.transfers()[0]?.phase === 'receiving', 'receiving');
    const before = receiver.exchange.stats().ignoredFrames;
    const done = completion(receiver.exchange, trackId);
    vandal.sendBinary('receiver', new ArrayBuffer(3));
    vandal.sendBinary('receiver', randomTrack(12, 5000).buffer as ArrayBuffer);
    vandal.sendBinary('receiver', encodeChunkFrame('ab'.repeat(32), 0, new Uint8Array(100)));
    vandal.sendBinary('receiver', encodeChunkFrame(trackId, 0, bytes.subarray(0, chunkBytesFor(SIZE))));
    await until(net, receiver.exchange, () => receiver.exchange.stats().ignoredFrames >= before + 4, 'four ignored frames');
    await done;
    await expectHolds(receiver.source, trackId);
    expect(receiver.exchange.stats().bannedPeers).to.deep.equal([]);
  });

  it('a track the library refuses fails with the reason', async () => {
    const bytes = randomTrack(13, 300_000);
    const { speaker: origin, trackId } = await holder('origin', bytes);
    const receiver = speaker('receiver');
    receiver.source.refuse = 'not a decodable audio file';
    receiver.exchange.want([trackId]);
    net.connect(origin.node, receiver.node);
    await until(net, receiver.exchange, () => receiver.exchange.transfers()[0]?.phase === 'failed', 'failed');
    expect(receiver.exchange.transfers()[0].error).to.equal('the library refused the downloaded track: not a decodable audio file');
    expect(receiver.source.tracks.has(trackId)).to.equal(false);
    expect(receiver.source.partialChunks.has(trackId)).to.equal(false);
  });

  it('a greedy peer gets a bounded queue', async () => {
    const { speaker: origin, trackId } = await holder('origin', randomTrack(14, SIZE));
    const greedy = net.add('greedy');
    origin.node.stuck.set('greedy', 2 * 1024 * 1024);
    net.connect(origin.node, greedy);
    await net.ticks(1);
    const everything = Array.from({ length: 64 }, (_, i) => i);
    for (let i = 0; i < 8; i++) greedy.send('origin', { type: 'chunk-request', trackId, indices: everything });
    await until(net, origin.exchange, () => origin.exchange.stats().queuedChunks >= 32, 'a full queue');
    await net.ticks(5);
    expect(origin.exchange.stats().queuedChunks).to.equal(32);
    expect(origin.node.framesSent.get('greedy') ?? 0).to.equal(0);
  });
});
