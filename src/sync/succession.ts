/**
 * Pure helpers of the election: id order, succession order, and which leadership claim wins.
 * Every node applies the same functions to the same inputs, so nodes with the same view reach
 * the same verdict without an extra round trip.
 */

/** A tab's id on the signaling server; stable across reloads of the tab. */
export type PeerId = string;

/** Longest succession list kept or sent; longer lists from the wire are cut. */
export const MAX_SUCCESSION = 64;

/** Code-unit order of ids (locale-independent, the same on every node). */
export function compareIds(a: PeerId, b: PeerId): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** A leader as some node asserts it: `leaderId` leads in `term`. */
export interface Claim {
  readonly term: number;
  readonly leaderId: PeerId;
}

/**
 * Whether claim `a` beats claim `b`: the higher term wins; in equal terms the lower id wins.
 * A strict total order on (term, leaderId): for distinct claims exactly one beats the other,
 * so two leaders that hear each other agree on who steps down.
 */
export function claimBeats(a: Claim, b: Claim): boolean {
  if (a.term !== b.term) return a.term > b.term;
  return compareIds(a.leaderId, b.leaderId) < 0;
}

/**
 * A defensive copy of an id list from the wire: strings only, non-empty, first occurrence
 * kept, at most `MAX_SUCCESSION` entries.
 */
export function sanitizeIds(raw: unknown): PeerId[] {
  if (!Array.isArray(raw)) return [];
  const seen = new Set<PeerId>();
  for (const id of raw) {
    if (seen.size >= MAX_SUCCESSION) break;
    if (typeof id === 'string' && id.length > 0) seen.add(id);
  }
  return [...seen];
}

/**
 * `members` in succession order: those in `list` in list order, then the others by id.
 * The result is a permutation of `members` (duplicates removed).
 */
export function successionOrder(list: readonly PeerId[], members: Iterable<PeerId>): PeerId[] {
  const pending = new Set(members);
  const ordered: PeerId[] = [];
  for (const id of list) {
    if (pending.delete(id)) ordered.push(id);
  }
  return [...ordered, ...[...pending].sort(compareIds)];
}

/**
 * The succession list a leader publishes: itself first, then the previous list's entries that
 * are still members (order kept), then new members by id; at most `MAX_SUCCESSION` entries.
 * Keeping the order means every follower ranks the survivors the same way after a loss.
 */
export function leaderSuccession(
  leaderId: PeerId,
  previous: readonly PeerId[],
  members: readonly PeerId[],
): PeerId[] {
  const isMember = new Set(members);
  const kept = previous.filter((id) => id !== leaderId && isMember.has(id));
  const known = new Set(kept);
  const added = members.filter((id) => id !== leaderId && !known.has(id)).sort(compareIds);
  return [leaderId, ...kept, ...added].slice(0, MAX_SUCCESSION);
}

/** Which side of a pair opens the data channel: the lower id (exactly one of two distinct ids). */
export function shouldDial(selfId: PeerId, otherId: PeerId): boolean {
  return compareIds(selfId, otherId) < 0;
}
