/**
 * An in-memory RoomTransport network for tests: every transport registered on one `MemoryHub`
 * can discover and dial the others; messages are delivered asynchronously (next macrotask) and
 * links can be cut to simulate a crash or a partition.
 */
import { SignalingState, type RoomTransport, type RoomTransportEvents } from '../../src/shell/room-transport.js';

export class MemoryHub {
  readonly transports = new Map<string, MemoryTransport>();

  create(selfId: string): MemoryTransport {
    return new MemoryTransport(selfId, this);
  }

  /** Silence `id` completely (a crashed process): no more delivery, no close events. */
  crash(id: string): void {
    this.transports.get(id)?.crash();
    this.transports.delete(id);
  }
}

export class MemoryTransport implements RoomTransport {
  private listener: RoomTransportEvents | null = null;
  private readonly links = new Set<string>();
  private crashed = false;
  /** Bytes sent per link and not yet delivered. */
  private readonly pending = new Map<string, number>();

  constructor(
    readonly selfId: string,
    private readonly hub: MemoryHub,
  ) {}

  setListener(listener: RoomTransportEvents): void {
    this.listener = listener;
  }

  async start(): Promise<void> {
    this.hub.transports.set(this.selfId, this);
    this.listener?.signaling(SignalingState.open);
  }

  async listPeers(): Promise<unknown[]> {
    return [...this.hub.transports.keys()];
  }

  dial(peerId: string): void {
    const other = this.hub.transports.get(peerId);
    if (other === undefined || this.links.has(peerId)) return;
    this.links.add(peerId);
    other.links.add(this.selfId);
    setTimeout(() => {
      this.listener?.linkOpen(peerId);
      other.listener?.linkOpen(this.selfId);
    });
  }

  hasLink(peerId: string): boolean {
    return this.links.has(peerId);
  }

  send(peerId: string, data: string | ArrayBuffer): boolean {
    const other = this.hub.transports.get(peerId);
    if (this.crashed || other === undefined || !this.links.has(peerId)) return false;
    const bytes = typeof data === 'string' ? data.length : data.byteLength;
    this.pending.set(peerId, (this.pending.get(peerId) ?? 0) + bytes);
    setTimeout(() => {
      this.pending.set(peerId, (this.pending.get(peerId) ?? bytes) - bytes);
      if (!other.crashed && other.links.has(this.selfId)) other.listener?.data(this.selfId, data);
    });
    return true;
  }

  bufferedBytes(peerId: string): number {
    return this.links.has(peerId) ? (this.pending.get(peerId) ?? 0) : 0;
  }

  hangUp(peerId: string): void {
    if (!this.links.delete(peerId)) return;
    this.listener?.linkClose(peerId);
    const other = this.hub.transports.get(peerId);
    if (other?.links.delete(this.selfId)) setTimeout(() => other.listener?.linkClose(this.selfId));
  }

  dispose(): void {
    for (const peerId of [...this.links]) this.hangUp(peerId);
    this.hub.transports.delete(this.selfId);
    this.listener?.signaling(SignalingState.closed);
  }

  crash(): void {
    this.crashed = true;
  }
}
