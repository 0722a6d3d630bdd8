import { defineConfig } from 'vite';

/** Cross-origin isolation: 5 µs `performance.now()` and SharedArrayBuffer, in dev and preview too. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: { headers: isolation },
  preview: { headers: isolation },
});
