/** Read-only views of a room for the UI and for `window.tutti.diagnostics()`. Plain JSON. */
import type { ClockReport, MemberRole } from '../sync/protocol.js';
import type { SignalingState } from '../shell/room-transport.js';
import type { TimelineState } from '../sync/shared-timeline.js';
import type { LeaderChange } from '../sync/leader-history.js';

/** How this tab sees a member. */
export const MemberState = {
  self: 'self',
  connected: 'connected',
  unresponsive: 'unresponsive',
} as const;
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

export interface MemberView {
  peerId: string;
  name: string;
  role: MemberRole;
  isSelf: boolean;
  isLeader: boolean;
  state: MemberState;
  /** Data-channel round trip measured by this tab, ms; null for self or before the first pong. */
  rttMs: number | null;
  /** The member's own report of its clock (for self: this tab's). */
  clock: ClockReport | null;
}

/** This tab's clock, as the shared timeline reports it (offset = shared − local, ms). */
export type ClockView = TimelineState;

export interface RoomSnapshot {
  roomId: string;
  selfId: string;
  name: string;
  role: MemberRole;
  leaderId: string | null;
  term: number;
  signaling: SignalingState;
  /** Self first, then peers by name. */
  members: MemberView[];
  clock: ClockView;
  /** Messages from peers dropped at the boundary, and the latest reason. */
  dropped: { count: number; lastReason: string | null };
  /** The leaders this tab followed, oldest first, each with how the one before was lost (src/sync/leader-history.ts). */
  leaderChanges: LeaderChange[];
}

/** This tab's clock as reported to peers and listed for itself; null before a first estimate. */
export function clockReportOf(state: TimelineState): ClockReport | null {
  // Before a first estimate the uncertainty is infinite: nothing worth reporting yet.
  if (state.role === 'unsynced' || !Number.isFinite(state.uncertaintyMs) || !Number.isFinite(state.offsetMs)) return null;
  return { offsetMs: state.offsetMs, uncertaintyMs: state.uncertaintyMs, rttMs: state.bestRttMs, converged: state.converged };
}

/** What a snapshot is made of: the room's own fields and the peers' views (self is added first). */
export type SnapshotParts = Omit<RoomSnapshot, 'members'> & { readonly peers: readonly MemberView[] };

/** The snapshot: self first (its clock from `clock`), then `peers` as given. */
export function buildRoomSnapshot(parts: SnapshotParts): RoomSnapshot {
  const { peers, ...room } = parts;
  const self: MemberView = {
    peerId: room.selfId,
    name: room.name,
    role: room.role,
    isSelf: true,
    isLeader: room.leaderId === room.selfId,
    state: MemberState.self,
    rttMs: null,
    clock: clockReportOf(room.clock),
  };
  return { ...room, members: [self, ...peers] };
}
