/**
 * An in-memory network of `RoomLinks` for extension tests: control messages go through the real
 * codec (`encodeMessage`/`decodeMessage`), binary frames are passed as ArrayBuffers, and both are
 * delivered asynchronously, in order per link. Each node has an upload bandwidth shared by its
 * links (bytes per ms) and a one-way latency; `bufferedBytes` counts bytes not yet on the wire.
 * The network ticks every node's extension every `tickMs` and emits a 'tick' event after each.
 */
import type { RoomExtension, RoomLinks } from '../../src/room/room-extension.js';
import { decodeMessage, encodeMessage, type RoomMessage } from '../../src/sync/protocol.js';

export interface NodeProfile {
  /** Upload bandwidth, bytes per ms (Infinity: instant). */
  readonly uploadBytesPerMs?: number;
  /** One-way latency, ms. */
  readonly latencyMs?: number;
}

export class FakeNetwork extends EventTarget {
  readonly nodes = new Map<string, FakeNode>();
  private readonly timer: ReturnType<typeof setInterval>;
  tickCount = 0;

  constructor(readonly tickMs = 20) {
    super();
    this.timer = setInterval(() => {
      this.tickCount++;
      const nowMs = performance.now();
      for (const node of this.nodes.values()) node.extension?.tick?.(nowMs);
      this.dispatchEvent(new Event('tick'));
    }, tickMs);
  }

  add(id: string, profile: NodeProfile = {}): FakeNode {
    const node = new FakeNode(id, this, profile);
    this.nodes.set(id, node);
    return node;
  }

  /** Open a link between `a` and `b`; both extensions hear `peerUp` on the next macrotask. */
  connect(a: FakeNode, b: FakeNode): void {
    a.peers.add(b.selfId);
    b.peers.add(a.selfId);
    setTimeout(() => {
      a.extension?.peerUp?.(b.selfId);
      b.extension?.peerUp?.(a.selfId);
    });
  }

  /** Close the link between `a` and `b` (both hear `peerDown`); frames on the way are lost. */
  disconnect(a: FakeNode, b: FakeNode): void {
    if (!a.peers.delete(b.selfId) || !b.peers.delete(a.selfId)) return;
    a.extension?.peerDown?.(b.selfId);
    b.extension?.peerDown?.(a.selfId);
  }

  /** Take `node` off the network (a closed tab). */
  remove(node: FakeNode): void {
    for (const peerId of [...node.peers]) this.disconnect(node, this.nodes.get(peerId) as FakeNode);
    this.nodes.delete(node.selfId);
  }

  /** Resolves after `count` more ticks. */
  ticks(count: number): Promise<void> {
    const target = this.tickCount + count;
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.tickCount < target) return;
        this.removeEventListener('tick', check);
        resolve();
      };
      this.addEventListener('tick', check);
    });
  }

  dispose(): void {
    clearInterval(this.timer);
    this.nodes.clear();
  }
}

/** One speaker's links. Attach the extension under test to `extension`. */
export class FakeNode implements RoomLinks {
  extension: RoomExtension | null = null;
  readonly leaderId = null;
  readonly term = 0;
  readonly peers = new Set<string>();
  /** Binary frames sent per peer, and control messages sent (type and destination), in order. */
  readonly framesSent = new Map<string, number>();
  readonly messagesSent: { to: string; message: RoomMessage }[] = [];
  /** Messages that failed to decode on arrival. */
  dropped = 0;
  /** Forced `bufferedBytes` towards a peer (simulates a congested link), when set. */
  readonly stuck = new Map<string, number>();
  /** Flip one payload byte of every binary frame this node sends (a peer with a broken store). */
  corruptFrames = false;
  private readonly buffered = new Map<string, number>();
  private busyUntilMs = 0;
  private readonly uploadBytesPerMs: number;
  private readonly latencyMs: number;

  constructor(readonly selfId: string, private readonly network: FakeNetwork, profile: NodeProfile) {
    this.uploadBytesPerMs = profile.uploadBytesPerMs ?? Infinity;
    this.latencyMs = profile.latencyMs ?? 0;
  }

  connectedPeers(): string[] {
    return [...this.peers];
  }

  send(peerId: string, message: RoomMessage): boolean {
    if (!this.peers.has(peerId)) return false;
    this.messagesSent.push({ to: peerId, message });
    const text = encodeMessage(message);
    return this.transmit(peerId, text.length, (to) => to.receiveText(this.selfId, text));
  }

  sendBinary(peerId: string, data: ArrayBuffer): boolean {
    if (!this.peers.has(peerId)) return false;
    this.framesSent.set(peerId, (this.framesSent.get(peerId) ?? 0) + 1);
    if (this.corruptFrames && data.byteLength > 40) new Uint8Array(data)[40] ^= 0xff;
    return this.transmit(peerId, data.byteLength, (to) => to.extension?.binary?.(this.selfId, data));
  }

  broadcast(message: RoomMessage): void {
    for (const peerId of this.peers) this.send(peerId, message);
  }

  bufferedBytes(peerId: string): number {
    return this.stuck.get(peerId) ?? this.buffered.get(peerId) ?? 0;
  }

  private receiveText(from: string, text: string): void {
    const decoded = decodeMessage(text);
    if (decoded.ok) this.extension?.message?.(from, decoded.message);
    else this.dropped++;
  }

  /** Queue `bytes` on this node's uplink, then deliver after the latency if the link still exists. */
  private transmit(peerId: string, bytes: number, deliver: (to: FakeNode) => void): boolean {
    const nowMs = performance.now();
    const startMs = Math.max(nowMs, this.busyUntilMs);
    this.busyUntilMs = startMs + bytes / this.uploadBytesPerMs;
    this.buffered.set(peerId, (this.buffered.get(peerId) ?? 0) + bytes);
    setTimeout(() => {
      this.buffered.set(peerId, (this.buffered.get(peerId) ?? bytes) - bytes);
      setTimeout(() => {
        const to = this.network.nodes.get(peerId);
        if (to !== undefined && this.peers.has(peerId) && to.peers.has(this.selfId)) deliver(to);
      }, this.latencyMs);
    }, this.busyUntilMs - nowMs);
    return true;
  }
}
