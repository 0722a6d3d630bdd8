/** A friendly default speaker name from the kind of device, e.g. "Phone" or "Laptop". */

/** Guess a device kind from a user-agent string (pure). */
export function defaultSpeakerName(userAgent: string, maxTouchPoints = 0): string {
  const ua = userAgent.toLowerCase();
  if (/ipad|tablet/.test(ua) || (/macintosh/.test(ua) && maxTouchPoints > 1)) return 'Tablet';
  if (/iphone|ipod|android.*mobile|windows phone|mobile/.test(ua)) return 'Phone';
  if (/android/.test(ua)) return 'Tablet';
  if (/cros|macintosh|windows|linux/.test(ua)) return 'Laptop';
  return 'Speaker';
}
