// @ts-check
/**
 * Flags for every headless Debian Chromium the tests and benchmarks start (as root, offline):
 * no sandbox, no background traffic to Google, autoplay allowed, and plain host ICE candidates
 * (mDNS-obfuscated ones connect much later).
 */
export const CHROMIUM_FLAGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
]);

/** Debian's Chromium unless CHROME_PATH says otherwise. */
export const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';
