/**
 * When a longer part of a track still arriving (downloaded or being synthesized) is worth handing
 * to the engine: each part is copied and decoded whole, so parts grow geometrically and the work
 * stays within about twice the track. Pure.
 */
import type { Seconds } from './units.js';

/** The first part is offered once it holds this much from where it is played, s. */
export const FIRST_PART_SEC: Seconds = 3;
/** A later part is offered once it adds at least this much, s (or doubles the part, or reaches the end). */
export const NEXT_PART_MIN_SEC: Seconds = 5;

/** The parts offered so far: none, or one spanning [startSec, endSec). */
export type OfferedPart = { readonly startSec: Seconds; readonly endSec: Seconds } | null;

/**
 * Is audio available up to `availableEndSec` worth a new part? `playFromSec`: where the first part
 * would start playing (the position due now, or the part's start when that is later).
 */
export function partWorthOffering(offered: OfferedPart, playFromSec: Seconds, availableEndSec: Seconds, durationSec: Seconds): boolean {
  const atEnd = availableEndSec >= durationSec;
  if (offered === null) return atEnd || availableEndSec - playFromSec >= FIRST_PART_SEC;
  if (!(availableEndSec > offered.endSec)) return false;
  return atEnd || availableEndSec - offered.endSec >= Math.max(NEXT_PART_MIN_SEC, offered.endSec - offered.startSec);
}
