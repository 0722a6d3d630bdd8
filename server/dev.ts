/**
 * `npm run dev`: vite with hot reload plus a standalone PeerServer that vite proxies at
 * /peerjs (including the WebSocket), so the app sees the same single origin as in production.
 */
import { PeerServer } from 'peer';
import { createServer } from 'vite';
import { peerServerOptions } from './app-server.js';

const peerPort = Number(process.env.PEER_PORT ?? 9000);
PeerServer({ ...peerServerOptions, host: '127.0.0.1', port: peerPort });

const vite = await createServer({
  server: {
    host: process.env.HOST ?? '0.0.0.0',
    port: Number(process.env.PORT ?? 5173),
    proxy: {
      '/peerjs': { target: `http://127.0.0.1:${peerPort}`, ws: true, rewrite: (path) => path.replace(/^\/peerjs/, '') },
    },
  },
});
await vite.listen();
vite.printUrls();
console.log(`  Signaling: PeerServer on 127.0.0.1:${peerPort}, proxied at /peerjs`);
