/**
 * `npm start`: serve the production build and signaling on the LAN and print the room URL
 * (plus a QR code) for phones. Environment: PORT (default 8080), HOST (default 0.0.0.0),
 * ROOM (default: a fresh random id), DIST_DIR (default: the repository's dist/; tests serve a copy).
 */
import { fileURLToPath } from 'node:url';
import { lanAddresses, randomRoomId, terminalQr } from './lan.js';
import { startAppServer } from './app-server.js';

const distDir = process.env.DIST_DIR ?? fileURLToPath(new URL('../dist/', import.meta.url));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
const room = process.env.ROOM ?? randomRoomId();

const running = await startAppServer({ host, port, distDir });
const localUrl = `http://localhost:${running.port}/?room=${room}`;
const lan = host === '0.0.0.0' || host === '::' ? lanAddresses()[0] : undefined;
const lanUrl = lan ? `http://${lan}:${running.port}/?room=${room}` : null;

console.log('\nTutti is running.\n');
console.log(`  This computer:  ${localUrl}`);
if (lanUrl) {
  console.log(`  Phones on LAN:  ${lanUrl}\n`);
  console.log(await terminalQr(lanUrl));
  console.log('  Browsers allow the audio clock, installation and cross-origin isolation only on https or');
  console.log('  localhost: see README "Phones and HTTPS" for a plain-http LAN.');
} else {
  console.log(`  (not reachable from the LAN: bound to ${host})`);
}
console.log('\n  Signaling: this server, path /peerjs. Stop with Ctrl+C.\n');

const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
