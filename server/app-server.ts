/**
 * The production server: serves the built app (dist/) and a PeerServer for signaling on one
 * origin, so a phone needs a single URL. Every response carries the cross-origin isolation
 * headers that give `performance.now()` its 5 µs resolution.
 */
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { ExpressPeerServer } from 'peer';

/** Mount point of the PeerServer; the client uses the same constant (src/shell/signaling-config.ts). */
export const SIGNALING_PATH = '/peerjs';

/** The generated service worker (`sw.js`) and its workbox runtime (`workbox-<hash>.js`). */
const SERVICE_WORKER_FILE = /^(sw|workbox-[\w-]+)\.js$/;

export interface AppServerOptions {
  /** Interface to bind; `0.0.0.0` for the LAN. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** The vite build output. */
  distDir: string;
}

export interface RunningAppServer {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Headers for cross-origin isolation (COOP + COEP) on every response. */
export function isolationHeaders(_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void): void {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
}

/** Options of the PeerServer, shared by `npm start` and `npm run dev`. */
export const peerServerOptions = {
  path: '/',
  allow_discovery: true,
  alive_timeout: 20_000,
  concurrent_limit: 5000,
} as const;

/** Start serving; resolves once listening. */
export async function startAppServer(options: AppServerOptions): Promise<RunningAppServer> {
  const app = express();
  const server = createServer(app);
  app.disable('x-powered-by');
  app.use(isolationHeaders);
  app.use(SIGNALING_PATH, ExpressPeerServer(server, peerServerOptions));
  app.use(
    '/assets',
    express.static(join(options.distDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }),
  );
  app.use(
    express.static(options.distDir, {
      index: 'index.html',
      maxAge: 0,
      // The service worker and its runtime must always be revalidated, so updates are found.
      setHeaders: (res, path) => {
        if (SERVICE_WORKER_FILE.test(basename(path))) res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  app.get('*', (_req, res) => res.sendFile(join(options.distDir, 'index.html')));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
