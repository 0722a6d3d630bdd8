/**
 * RoomTransport over PeerJS: signaling through a PeerServer (ours by default), one raw data
 * channel per peer plus its timely lane (timing-lane.ts), signaling reconnects with exponential backoff.
 */
import { Peer, type DataConnection, type PeerOptions } from 'peerjs';
import { IdTakenError, Lane, SignalingState, type RoomTransport, type RoomTransportEvents } from './room-transport.js';
import { TimingLane } from './timing-lane.js';

export { IdTakenError };

export interface PeerTransportOptions {
  /** PeerJS server options; omit host for the public PeerJS cloud (opt-in). */
  server: PeerOptions;
  /** Base URL of the PeerServer's HTTP API for discovery, e.g. `https://host/peerjs/peerjs`. */
  discoveryUrl: string | null;
  /** How long to wait for signaling to accept our id, ms. */
  openTimeoutMs?: number;
}

/** A link that has not opened by then is dropped (the mesh keeper dials again). */
const LINK_OPEN_TIMEOUT_MS = 5000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 8000;

export class PeerTransport implements RoomTransport {
  private peer: Peer | null = null;
  private readonly links = new Map<string, DataConnection>();
  /** Connections this side dialled (the others came in). */
  private readonly dialled = new WeakSet<DataConnection>();
  /** Each open connection's timely lane. */
  private readonly lanes = new Map<DataConnection, TimingLane>();
  private listener: RoomTransportEvents | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectDelayMs = RECONNECT_MIN_MS;
  private disposed = false;

  constructor(
    readonly selfId: string,
    private readonly options: PeerTransportOptions,
  ) {}

  setListener(listener: RoomTransportEvents): void {
    this.listener = listener;
  }

  /**
   * Registers with signaling. Rejects with IdTakenError when the id is held, and with an Error at
   * once on any other failure before registering (network down, server unreachable) or after
   * `openTimeoutMs`: retrying is the caller's choice (see retrying-transport.ts). Once open, lost
   * signaling is re-established here with exponential backoff.
   */
  start(): Promise<void> {
    const peer = new Peer(this.selfId, { ...this.options.server, debug: 0 });
    this.peer = peer;
    this.listener?.signaling(SignalingState.connecting);
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error('signaling server did not answer')), this.options.openTimeoutMs ?? 10_000);
      peer.on('open', () => {
        opened = true;
        clearTimeout(timer);
        this.reconnectDelayMs = RECONNECT_MIN_MS;
        this.listener?.signaling(SignalingState.open);
        resolve();
      });
      peer.on('error', (error) => {
        if (error.type === 'unavailable-id') {
          fail(new IdTakenError(this.selfId));
        } else if (error.type === 'peer-unavailable') {
          // A dialled id vanished between discovery and dialling: nothing to do.
        } else if (!opened) {
          fail(new Error(error.message || String(error.type)));
        } else if (!peer.open) {
          this.scheduleReconnect();
        }
      });
      peer.on('disconnected', () => {
        if (opened) this.scheduleReconnect();
        else fail(new Error('signaling connection lost'));
      });
      peer.on('connection', (conn) => this.adopt(conn, false));
    });
  }

  async listPeers(): Promise<unknown[]> {
    if (this.options.discoveryUrl === null) return [];
    const response = await fetch(`${this.options.discoveryUrl}/peers`, { cache: 'no-store' });
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const body: unknown = await response.json();
    return Array.isArray(body) ? body : [];
  }

  dial(peerId: string): void {
    if (this.peer === null || this.peer.destroyed || this.peer.disconnected || this.hasLink(peerId)) return;
    this.adopt(this.peer.connect(peerId, { serialization: 'raw', reliable: true, label: 'control' }), true);
  }

  hasLink(peerId: string): boolean {
    return this.links.has(peerId);
  }

  send(peerId: string, data: string | ArrayBuffer, lane: Lane = Lane.reliable): boolean {
    const conn = this.links.get(peerId);
    if (conn === undefined || !conn.open) return false;
    const timely = lane === Lane.timely ? this.lanes.get(conn) : undefined;
    if (timely?.ready === true && timely.send(data)) return true;
    try {
      void conn.send(data);
      return true;
    } catch {
      return false;
    }
  }

  bufferedBytes(peerId: string): number {
    const conn = this.links.get(peerId);
    if (conn === undefined) return 0;
    // PeerJS queues in its own buffer once the channel's exceeds its limit: count both.
    return (conn.dataChannel?.bufferedAmount ?? 0) + ((conn as { bufferSize?: number }).bufferSize ?? 0);
  }

  hangUp(peerId: string): void {
    this.links.get(peerId)?.close();
  }

  dispose(): void {
    this.disposed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    for (const conn of this.links.values()) conn.close();
    this.links.clear();
    for (const lane of this.lanes.values()) lane.dispose();
    this.lanes.clear();
    this.peer?.destroy();
    this.listener?.signaling(SignalingState.closed);
  }

  /**
   * Track a connection (dialled or incoming). An open link to the same peer is replaced (the peer
   * reloaded). When both sides dialled at once, both keep the connection the lower id dialled.
   */
  private adopt(conn: DataConnection, dialled: boolean): void {
    const previous = this.links.get(conn.peer);
    if (previous !== undefined && previous !== conn) {
      const crossing = !previous.open && this.dialled.has(previous) !== dialled;
      const keepPrevious = crossing && this.dialled.has(previous) === this.selfId < conn.peer;
      if (keepPrevious) {
        conn.close();
        return;
      }
      this.links.delete(conn.peer);
      previous.close();
    }
    if (dialled) this.dialled.add(conn);
    this.links.set(conn.peer, conn);
    const openTimer = setTimeout(() => {
      if (conn.open || this.links.get(conn.peer) !== conn) return;
      this.links.delete(conn.peer);
      conn.close();
    }, LINK_OPEN_TIMEOUT_MS);
    const deliver = (data: unknown): void => {
      if (this.links.get(conn.peer) === conn) this.listener?.data(conn.peer, data);
    };
    conn.on('open', () => clearTimeout(openTimer));
    conn.on('open', () => {
      if (!this.disposed && !this.lanes.has(conn)) this.lanes.set(conn, new TimingLane(conn.peerConnection, deliver));
      if (this.links.get(conn.peer) === conn) this.listener?.linkOpen(conn.peer);
    });
    conn.on('data', deliver);
    const closed = (): void => {
      this.lanes.get(conn)?.dispose();
      this.lanes.delete(conn);
      if (this.links.get(conn.peer) !== conn) return;
      this.links.delete(conn.peer);
      this.listener?.linkClose(conn.peer);
    };
    conn.on('close', closed);
    conn.on('error', closed);
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.reconnectTimer !== null || this.peer === null || this.peer.destroyed) return;
    this.listener?.signaling(SignalingState.reconnecting);
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(RECONNECT_MAX_MS, this.reconnectDelayMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.peer !== null && !this.peer.destroyed && this.peer.disconnected) this.peer.reconnect();
    }, delayMs);
  }
}
