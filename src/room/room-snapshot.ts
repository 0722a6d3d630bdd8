/** Read-only views of a room for the UI and for `window.tutti.diagnostics()`. Plain JSON. */
import type { ClockReport, MemberRole } from '../sync/protocol.js';
import type { SignalingState } from '../shell/room-transport.js';
import type { TimelineState } from '../sync/shared-timeline.js';

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
}
