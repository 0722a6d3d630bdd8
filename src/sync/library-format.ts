/**
 * Recognising audio files by their first bytes (and, failing that, their declared type or file
 * extension), so a track's MIME type does not depend on what the OS or a peer claimed.
 * Pure: no browser globals.
 */

/** MIME type by file extension, for containers browsers commonly play. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  mp4: 'audio/mp4',
  aac: 'audio/aac',
  webm: 'audio/webm',
};

/** The bytes' container from its magic number, or `undefined` when not recognised. */
export function sniffAudioMimeType(bytes: Uint8Array): string | undefined {
  const ascii = (start: number, text: string): boolean =>
    bytes.length >= start + text.length && [...text].every((ch, i) => bytes[start + i] === ch.charCodeAt(0));
  if (ascii(0, 'RIFF') && ascii(8, 'WAVE')) return 'audio/wav';
  if (ascii(0, 'fLaC')) return 'audio/flac';
  if (ascii(0, 'OggS')) return 'audio/ogg';
  if (ascii(4, 'ftyp')) return 'audio/mp4';
  if (ascii(0, 'ID3')) return 'audio/mpeg';
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'audio/webm';
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  if (b0 === 0xff && (b1 & 0xf6) === 0xf0) return 'audio/aac';
  if (b0 === 0xff && (b1 & 0xe0) === 0xe0) return 'audio/mpeg';
  return undefined;
}

/**
 * Best MIME type for a track: sniffed from the bytes, else the declared `audio/*` type, else by
 * the file name's extension, else 'application/octet-stream'.
 */
export function audioMimeType(bytes: Uint8Array, declaredType?: string, fileName?: string): string {
  const sniffed = sniffAudioMimeType(bytes);
  if (sniffed !== undefined) return sniffed;
  const declared = (declaredType ?? '').trim().toLowerCase();
  if (/^audio\/[\w.+-]+$/.test(declared)) return declared;
  const extension = fileName?.split('.').pop()?.toLowerCase();
  return (extension !== undefined && BY_EXTENSION[extension]) || 'application/octet-stream';
}

/**
 * Whether `error` means the storage quota is exhausted: a DOMException named QuotaExceededError
 * (Chromium, Safari), Firefox's NS_ERROR_DOM_QUOTA_REACHED, or either wrapped in `cause`/`inner`
 * or carried by an aborted transaction's `error`. Never throws.
 */
export function isQuotaError(error: unknown, depth = 0): boolean {
  try {
    if (typeof error !== 'object' || error === null || depth > 3) return false;
    const e = error as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown; inner?: unknown; error?: unknown };
    if (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || e.code === 22) return true;
    if (typeof e.message === 'string' && /quota/i.test(e.message)) return true;
    return [e.cause, e.inner, e.error].some((inner) => inner !== error && isQuotaError(inner, depth + 1));
  } catch {
    return false;
  }
}
