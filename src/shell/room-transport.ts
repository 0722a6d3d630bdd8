/**
 * What the room needs from a network: a signaling identity, discovery of the room's other
 * ids, and one data link per peer. PeerJS implements it (peer-transport.ts); tests may swap it.
 */

/** Connection to the signaling server. */
export const SignalingState = {
  connecting: 'connecting',
  open: 'open',
  reconnecting: 'reconnecting',
  /** Never reached (offline, server down): the tab runs as a room of one and keeps retrying. */
  unreachable: 'unreachable',
  closed: 'closed',
} as const;
export type SignalingState = (typeof SignalingState)[keyof typeof SignalingState];

/** Thrown by `RoomTransport.start()` when another tab already holds this id. */
export class IdTakenError extends Error {
  constructor(id: string) {
    super(`peer id ${id} is in use`);
    this.name = 'IdTakenError';
  }
}

/** How a message travels on a link. */
export const Lane = {
  /** Reliable and ordered: delivered once, after everything sent on the link before it (the default). */
  reliable: 'reliable',
  /**
   * For small messages whose worth is their timeliness: not queued behind bulk data sent before
   * them, possibly lost, possibly out of order. Falls back to the reliable lane where a link has none.
   */
  timely: 'timely',
} as const;
export type Lane = (typeof Lane)[keyof typeof Lane];

export interface RoomTransportEvents {
  /** A data link to `peerId` is open (replaces any earlier link to it). */
  linkOpen(peerId: string): void;
  /** The link to `peerId` closed. */
  linkClose(peerId: string): void;
  /** Data arrived from `peerId` (untrusted: string or binary). */
  data(peerId: string, data: unknown): void;
  /** The signaling connection changed state. */
  signaling(state: SignalingState): void;
}

export interface RoomTransport {
  readonly selfId: string;
  /** Connect to signaling; resolves when registered under `selfId`. */
  start(): Promise<void>;
  /** All ids the signaling server knows (every room's); the caller filters. */
  listPeers(): Promise<unknown[]>;
  /** Open a link to `peerId` unless one is open or pending. */
  dial(peerId: string): void;
  /** True when a link to `peerId` is open or being opened. */
  hasLink(peerId: string): boolean;
  /** Send on the open link to `peerId` (on the reliable lane unless told); false if there is none. */
  send(peerId: string, data: string | ArrayBuffer, lane?: Lane): boolean;
  /** Bytes queued on the link to `peerId` and not yet sent (backpressure); 0 without a link. */
  bufferedBytes(peerId: string): number;
  /** Drop the link to `peerId`. */
  hangUp(peerId: string): void;
  setListener(listener: RoomTransportEvents): void;
  dispose(): void;
}
