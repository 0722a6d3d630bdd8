/** Where signaling lives: our own PeerServer on the page's origin, or (opt-in) the PeerJS cloud. */
import type { PeerTransportOptions } from './peer-transport.js';

/** Mount path of the PeerServer on the app's origin (server/app-server.ts uses the same). */
export const SIGNALING_PATH = '/peerjs';

/** Transport options for this page's origin; `cloud` uses PeerJS's public server and STUN. */
export function signalingOptions(location: Location, mode: 'local' | 'cloud'): PeerTransportOptions {
  if (mode === 'cloud') return { server: {}, discoveryUrl: null };
  const secure = location.protocol === 'https:';
  return {
    server: {
      host: location.hostname,
      port: Number(location.port) || (secure ? 443 : 80),
      path: SIGNALING_PATH,
      secure,
      // A LAN needs no STUN/TURN: host candidates connect directly.
      config: { iceServers: [] },
    },
    discoveryUrl: `${location.origin}${SIGNALING_PATH}/peerjs`,
  };
}
