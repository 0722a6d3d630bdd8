/** Size limits of the wire protocol. Anything larger is dropped at the boundary. */

/**
 * Largest control message accepted, in UTF-16 code units of the JSON text. Sized for the largest
 * track manifest (≤ 2048 chunk hashes ≈ 140 KB) and under Chromium's 256 KiB data-channel message
 * limit.
 */
export const MAX_MESSAGE_CHARS = 192 * 1024;

/** The most entries any list in a message may carry (members, succession). */
export const MAX_LIST_LENGTH = 64;

/** Longest speaker name accepted, in characters. */
export const MAX_NAME_CHARS = 40;
