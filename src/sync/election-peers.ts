/**
 * What one node of the election knows about each peer: whether its channel is up, when it was
 * last heard, and its latest heartbeat on the current channel. Pure: time is passed in.
 */
import { compareIds, sanitizeIds, type PeerId } from './succession.js';

/** What every node broadcasts: its term, whom it follows (itself if leader), its known succession. */
export interface HeartbeatPayload {
  term: number;
  leaderId: PeerId | null;
  succession: PeerId[];
}

/** A copy of a wire payload with checked types and a capped list, or null when unusable. */
export function sanitizeHeartbeat(hb: HeartbeatPayload): HeartbeatPayload | null {
  const { term, leaderId } = hb;
  if (!Number.isSafeInteger(term) || term < 0) return null;
  if (leaderId !== null && (typeof leaderId !== 'string' || leaderId.length === 0)) return null;
  return { term, leaderId, succession: sanitizeIds(hb.succession) };
}

interface PeerRecord {
  up: boolean;
  lastHeardMs: number;
  heartbeat: HeartbeatPayload | null;
}

/**
 * Peer records. A peer is alive at `nowMs` while its channel is up and it was heard within
 * `peerTimeoutMs`. A heartbeat is forgotten when the channel opens anew or closes, so a reloaded
 * tab is never judged by what its previous incarnation said.
 */
export class PeerTable {
  private readonly records = new Map<PeerId, PeerRecord>();
  private readonly answeredIds = new Set<PeerId>();

  constructor(private readonly peerTimeoutMs: number) {}

  /** The peer was heard now (any message proves its channel is up). */
  heard(id: PeerId, nowMs: number): void {
    const record = this.records.get(id);
    if (record === undefined) this.records.set(id, { up: true, lastHeardMs: nowMs, heartbeat: null });
    else {
      record.up = true;
      record.lastHeardMs = Math.max(record.lastHeardMs, nowMs);
    }
  }

  /** A fresh channel to the peer opened now. */
  opened(id: PeerId, nowMs: number): void {
    this.heard(id, nowMs);
    this.forgetHeartbeat(id);
  }

  /** The channel to the peer closed. */
  closed(id: PeerId): void {
    const record = this.records.get(id);
    if (record !== undefined) record.up = false;
    this.forgetHeartbeat(id);
  }

  /** Store a (sanitized) heartbeat of a peer heard now. */
  setHeartbeat(id: PeerId, hb: HeartbeatPayload, nowMs: number): void {
    this.heard(id, nowMs);
    const record = this.records.get(id);
    if (record !== undefined) record.heartbeat = hb;
    this.answeredIds.add(id);
  }

  /** The latest heartbeat on the current channel, if any. */
  heartbeat(id: PeerId): HeartbeatPayload | null {
    return this.records.get(id)?.heartbeat ?? null;
  }

  /** Whether the peer ever sent a heartbeat (on any channel). */
  answered(id: PeerId): boolean {
    return this.answeredIds.has(id);
  }

  isAlive(id: PeerId, nowMs: number): boolean {
    const record = this.records.get(id);
    return record !== undefined && record.up && nowMs - record.lastHeardMs <= this.peerTimeoutMs;
  }

  /** Alive peers, sorted by id. */
  alive(nowMs: number): PeerId[] {
    const ids: PeerId[] = [];
    for (const id of this.records.keys()) if (this.isAlive(id, nowMs)) ids.push(id);
    return ids.sort(compareIds);
  }

  private forgetHeartbeat(id: PeerId): void {
    const record = this.records.get(id);
    if (record !== undefined) record.heartbeat = null;
  }
}
