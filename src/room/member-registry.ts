/** What this tab knows about each peer: name, role, round trip, reported clock. */
import type { ClockReport, MemberRole, StatusMessage } from '../sync/protocol.js';
import type { Milliseconds } from '../sync/units.js';
import { MemberState, type MemberView } from './room-snapshot.js';
import { compareIds } from '../sync/succession.js';
import { compareText } from '../sync/text-order.js';

export interface PeerRecord {
  name: string | null;
  role: MemberRole;
  rttMs: Milliseconds | null;
  clock: ClockReport | null;
}

/** Weight of a new RTT sample in the smoothed value shown to people. */
const RTT_SMOOTHING = 0.3;

export class MemberRegistry {
  private readonly records = new Map<string, PeerRecord>();

  /** The record of `peerId`, created on first use. */
  get(peerId: string): PeerRecord {
    let record = this.records.get(peerId);
    if (record === undefined) {
      record = { name: null, role: 'speaker', rttMs: null, clock: null };
      this.records.set(peerId, record);
    }
    return record;
  }

  has(peerId: string): boolean {
    return this.records.has(peerId);
  }

  applyStatus(peerId: string, status: StatusMessage): void {
    const record = this.get(peerId);
    record.name = status.name;
    record.role = status.role;
    record.clock = status.clock;
  }

  /** Record a measured round trip (smoothed, but the first sample is taken as is). */
  addRtt(peerId: string, rttMs: Milliseconds): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    const record = this.get(peerId);
    record.rttMs = record.rttMs === null ? rttMs : record.rttMs + RTT_SMOOTHING * (rttMs - record.rttMs);
  }

  remove(peerId: string): void {
    this.records.delete(peerId);
  }

  ids(): string[] {
    return [...this.records.keys()];
  }

  /** Views of the peers that have introduced themselves (named), sorted by name then id. */
  views(leaderId: string | null, alive: ReadonlySet<string>): MemberView[] {
    const peers: MemberView[] = [];
    for (const peerId of this.ids()) {
      const record = this.get(peerId);
      if (record.name === null) continue;
      peers.push({
        peerId,
        name: record.name,
        role: record.role,
        isSelf: false,
        isLeader: leaderId === peerId,
        state: alive.has(peerId) ? MemberState.connected : MemberState.unresponsive,
        rttMs: record.rttMs,
        clock: record.clock,
      });
    }
    return peers.sort((a, b) => compareText(a.name, b.name) || compareIds(a.peerId, b.peerId));
  }
}
