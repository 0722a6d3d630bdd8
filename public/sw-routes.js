/**
 * Imported by the generated service worker (vite.config.ts, `workbox.importScripts`).
 * Signaling and discovery (`/peerjs/…`) never need the worker, so a static route sends them
 * straight to the network without a fetch event (Chromium 123+; elsewhere they pass through the
 * worker unanswered, as before). Besides saving the worker a wake-up per discovery poll, this keeps
 * updates applicable: a fetch event reaching the outgoing worker while the waiting one starts to
 * activate can park the activation in Chromium, and the page's navigations then hang.
 */
self.addEventListener('install', (event) => {
  if (typeof event.addRoutes !== 'function') return;
  event.waitUntil(
    event.addRoutes({ condition: { urlPattern: { pathname: '/peerjs/*' } }, source: 'network' }).catch((error) => {
      console.warn('[tutti] service worker: static routes not added', error);
    }),
  );
});
