/**
 * Keeps the room's full mesh complete against each signaling listing: forgets silent peers that
 * left signaling, and dials the ones without a link. The lower id dials first; the other side
 * dials too when nothing arrived after two discovery rounds. A tab that just joined dials every
 * listed peer in its first round: the room's members hear of it only at their next discovery
 * round, up to a second later (bench:late-join: joiners knew the room's leader 383–902 ms after
 * registering with signaling, 278–537 ms when they dialled). Both sides dialling at once is the
 * transport's to settle (it keeps the connection the lower id dialled).
 */
import { shouldDial } from '../sync/election.js';
import type { RoomTransport } from '../shell/room-transport.js';

/** Discovery rounds the higher id waits for the lower one's call before dialling itself. */
const FALLBACK_ROUNDS = 2;

export interface MeshView {
  /** Peers the election currently hears. */
  alive: ReadonlySet<string>;
  /** Peers this tab has (had) an open link with. */
  known: readonly string[];
}

export class MeshKeeper {
  /** Discovery rounds each listed peer has gone without a link. */
  private readonly undialled = new Map<string, number>();
  /** No listing with another peer has been reconciled yet. */
  private firstRound = true;

  constructor(
    private readonly selfId: string,
    private readonly transport: RoomTransport,
    /** Called for a known peer that left: the session forgets it. */
    private readonly forget: (peerId: string) => void,
  ) {}

  /** Bring the mesh in line with `listed` (this room's ids from signaling, sorted). */
  reconcile(listed: readonly string[], view: MeshView): void {
    const listedSet = new Set(listed);
    // A silent peer that signaling no longer lists is gone: forget it now rather than after
    // WebRTC's own consent timeout (~30 s).
    for (const peerId of view.known) {
      if (!view.alive.has(peerId) && !listedSet.has(peerId)) {
        this.transport.hangUp(peerId);
        this.forget(peerId);
      }
    }
    // A listed peer that is merely silent keeps its link: under load a live leader can miss a few
    // heartbeats, and tearing its link down would force a failover. A peer that reloaded dials
    // again itself (see below), and its new link replaces the stale one.
    const others = listed.filter((peerId) => peerId !== this.selfId);
    const joining = this.firstRound;
    if (others.length > 0) this.firstRound = false;
    for (const peerId of others) {
      if (this.transport.hasLink(peerId)) {
        this.undialled.delete(peerId);
        continue;
      }
      const rounds = (this.undialled.get(peerId) ?? 0) + 1;
      this.undialled.set(peerId, rounds);
      if (joining || shouldDial(this.selfId, peerId) || rounds > FALLBACK_ROUNDS) this.transport.dial(peerId);
    }
  }

  /** A link opened: no need to count rounds for it any more. */
  linked(peerId: string): void {
    this.undialled.delete(peerId);
  }
}
