import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Cross-origin isolation: 5 µs `performance.now()` and SharedArrayBuffer, in dev and preview too. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Brand colours, shared by the manifest and index.html's theme-color. */
const THEME_COLOR = '#1b1f3b';
const BACKGROUND_COLOR = '#ffffff';

export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
    // dist/.vite/manifest.json: scripts/bundle-size.ts reads the chunk graph from it.
    manifest: true,
  },
  plugins: [
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      // src/shell/service-worker.ts registers the worker with workbox-window (production only).
      injectRegister: false,
      manifest: {
        name: 'Tutti',
        short_name: 'Tutti',
        description: 'Every tab is a speaker: synchronized multi-room music in the browser.',
        start_url: './?resume=1',
        scope: './',
        display: 'standalone',
        theme_color: THEME_COLOR,
        background_color: BACKGROUND_COLOR,
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The whole app shell and every bundled asset; nothing comes from a CDN.
        globPatterns: ['**/*.{html,js,css,svg,png,webmanifest}'],
        navigateFallback: 'index.html',
        // Signaling and discovery always go to the network.
        navigateFallbackDenylist: [/^\/peerjs(\/|$)/],
        runtimeCaching: [],
        // public/sw-routes.js: /peerjs/ bypasses the worker entirely (static routing).
        importScripts: ['sw-routes.js'],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: false,
        sourcemap: false,
      },
      devOptions: { enabled: false },
    }),
  ],
  server: { headers: isolation },
  preview: { headers: isolation },
});
