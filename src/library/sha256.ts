/** SHA-256 with WebCrypto (`crypto.subtle.digest`), as the library's `HashFn`. */
import type { HashFn } from '../sync/track-manifest.js';

/** Lowercase hex SHA-256 of `bytes`. Needs a secure context (https or localhost). */
export const sha256Hex: HashFn = async (bytes) => {
  // WebCrypto refuses views of a SharedArrayBuffer: copy those.
  const view = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', view));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
};
