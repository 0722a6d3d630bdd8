/**
 * Joining a room under this tab's peer id, network or not: the session runs over a
 * RetryingTransport, so it starts alone when signaling is unreachable (this tab leads a room of
 * one and plays its own library) and meets the others once signaling answers. The PeerJS
 * transport is loaded on the first connection attempt, after first paint.
 */
import { RoomSession } from '../room/room-session.js';
import type { MemberRole } from '../sync/protocol.js';
import { makePeerId, makeSpeakerId } from '../sync/peer-ids.js';
import type { Milliseconds } from '../sync/units.js';
import { RetryingTransport } from './retrying-transport.js';
import { IdTakenError, SignalingState } from './room-transport.js';
import { signalingOptions } from './signaling-config.js';

export interface JoinOptions {
  readonly roomId: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly signaling: 'local' | 'cloud';
  /** This tab's local clock, ms. */
  readonly now: () => Milliseconds;
  /** The speaker id to try first (the tab's, else the device's). */
  readonly speakerId: string;
  /** Called when the id was taken too often and this tab switches to a fresh one. */
  readonly onNewSpeakerId: (speakerId: string) => void;
}

export interface JoinedRoom {
  readonly session: RoomSession;
  readonly transport: RetryingTransport;
}

/** A taken id is tried this often (a reload's old connection may linger) before a fresh one. */
const ID_RETRIES = 3;
const ID_RETRY_DELAY_MS = 1500;

/**
 * Starts a session in the room. Resolves once registered with signaling or, when signaling is
 * unreachable, once running alone (retrying in the background). Only a taken id delays it.
 */
export async function joinRoom(options: JoinOptions): Promise<JoinedRoom> {
  let speakerId = options.speakerId;
  let takenCount = 0;
  for (;;) {
    const transport = new RetryingTransport(makePeerId(options.roomId, speakerId), {
      connect: async (selfId) => {
        const { PeerTransport } = await import('./peer-transport.js');
        return new PeerTransport(selfId, signalingOptions(location, options.signaling));
      },
    });
    const session = new RoomSession({ roomId: options.roomId, name: options.name, role: options.role, transport, now: options.now });
    try {
      await session.start();
      return { session, transport };
    } catch (error) {
      session.dispose();
      if (!(error instanceof IdTakenError)) throw error;
      if (++takenCount >= ID_RETRIES) {
        speakerId = makeSpeakerId(Math.random);
        options.onNewSpeakerId(speakerId);
        takenCount = 0;
      }
      await new Promise((resolve) => setTimeout(resolve, ID_RETRY_DELAY_MS));
    }
  }
}

/**
 * The banner while no peer can be reached: signaling is unreachable (or lost) and no link is
 * open. Null when peers are reachable (or signaling is still connecting for the first time).
 */
export function unreachableMessage(room: JoinedRoom, online: boolean): string | null {
  const signaling = room.session.signalingState;
  if (signaling !== SignalingState.unreachable && signaling !== SignalingState.reconnecting) return null;
  if (room.session.connectedPeers().length > 0) return null;
  const reason = online ? (room.transport.lastFailure ?? 'the connection was lost') : 'this device is offline';
  return `Offline: peers are unreachable (cannot reach the room's signaling server: ${reason}). This device plays its own library alone. Retrying automatically…`;
}
