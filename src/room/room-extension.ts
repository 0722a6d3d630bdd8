/**
 * A feature that rides on a room's links (playback, track exchange): the session hands it the
 * messages it does not handle itself, binary frames, membership and leadership changes, and a
 * periodic tick. Every hook is optional; hooks must not throw (a throw is logged and dropped).
 */
import type { RoomMessage } from '../sync/protocol.js';
import type { Milliseconds } from '../sync/units.js';

export interface RoomExtension {
  /** A validated message of a type the session does not handle itself. */
  message?(peerId: string, message: RoomMessage): void;
  /** A binary frame from a peer (untrusted bytes). */
  binary?(peerId: string, data: ArrayBuffer): void;
  /** A link to `peerId` opened: it can be sent to now. */
  peerUp?(peerId: string): void;
  /** `peerId` left or its link closed. */
  peerDown?(peerId: string): void;
  /** The room's leader changed (null while there is none); `term` is the election term. */
  leadership?(leaderId: string | null, term: number): void;
  /** Every session tick (≈ 100 ms), with this tab's local time. */
  tick?(nowMs: Milliseconds): void;
}

/** What an extension may do with the room. */
export interface RoomLinks {
  readonly selfId: string;
  /** The current leader's peer id, or null. */
  readonly leaderId: string | null;
  readonly term: number;
  /** Peers with an open link, that are currently heard. */
  connectedPeers(): string[];
  /** Send a message to one peer; false when there is no open link. */
  send(peerId: string, message: RoomMessage): boolean;
  /** Send a binary frame to one peer; false when there is no open link. */
  sendBinary(peerId: string, data: ArrayBuffer): boolean;
  /** Send a message to every linked peer. */
  broadcast(message: RoomMessage): void;
  /** Bytes queued towards `peerId` (backpressure). */
  bufferedBytes(peerId: string): number;
}
