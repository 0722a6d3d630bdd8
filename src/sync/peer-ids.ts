/**
 * Peer ids on the signaling server: `tutti-<room>-<speaker>`. Room ids and speaker ids contain
 * no `-`, so an id names exactly one room and one speaker, and one room's ids are found in the
 * server's listing by prefix.
 */

const PREFIX = 'tutti';

/** Speaker ids: 4–24 lowercase letters and digits, stable per device. */
export const SPEAKER_ID_PATTERN = /^[a-z0-9]{4,24}$/;

/** The signaling id of `speakerId` in `roomId`. */
export function makePeerId(roomId: string, speakerId: string): string {
  return `${PREFIX}-${roomId}-${speakerId}`;
}

/** Split a peer id; null when it is not a Tutti id. */
export function parsePeerId(peerId: string): { roomId: string; speakerId: string } | null {
  const parts = peerId.split('-');
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const [, roomId, speakerId] = parts as [string, string, string];
  if (!/^[a-z0-9]{1,32}$/.test(roomId) || !SPEAKER_ID_PATTERN.test(speakerId)) return null;
  return { roomId, speakerId };
}

/** The ids in a signaling listing that belong to `roomId`, sorted, without duplicates. */
export function roomPeerIds(listing: readonly unknown[], roomId: string): string[] {
  const ids = new Set<string>();
  for (const id of listing) {
    if (typeof id === 'string' && parsePeerId(id)?.roomId === roomId) ids.add(id);
  }
  return [...ids].sort();
}

/** A fresh speaker id; `random()` in [0, 1). */
export function makeSpeakerId(random: () => number, length = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[Math.floor(random() * alphabet.length)];
  return id;
}
