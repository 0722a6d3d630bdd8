// @ts-check
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fromRollup } from '@web/dev-server-rollup';
import rollupCommonjs from '@rollup/plugin-commonjs';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROME_PATH, CHROMIUM_FLAGS } from './test/chromium-flags.mjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const commonjs = fromRollup(rollupCommonjs);

/**
 * Unit tests (pure core) and component tests, in Debian's Chromium. The speaker engine's tests
 * measure real rendered audio: they run in a browser of their own (`npm run test:unit` runs them
 * second), since after the other files the shared browser's fake output underruns far more often.
 */
export default {
  files: ['test/unit/**/*.test.ts', 'test/components/**/*.test.ts', '!test/unit/speaker-engine.test.ts'],
  nodeResolve: { browser: true },
  concurrency: 1,
  testFramework: { config: { timeout: 60000 } },
  testsFinishTimeout: 8 * 60 * 1000,
  // Cross-origin isolated like the app's servers (server/app-server.ts, vite.config.ts): the
  // output's frame counter then writes shared memory, as it does in production.
  middleware: [
    function crossOriginIsolation(context, next) {
      context.set('Cross-Origin-Opener-Policy', 'same-origin');
      context.set('Cross-Origin-Embedder-Policy', 'require-corp');
      return next();
    },
  ],
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
    commonjs({
      include: ['**/node_modules/sdp/**', '**/node_modules/debug/**', '**/node_modules/ms/**', '**/node_modules/content-type/**', '**/node_modules/ieee754/**'],
      strictRequires: false,
    }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: CHROME_PATH,
        headless: true,
        args: [
          ...CHROMIUM_FLAGS,
          `--user-data-dir=${mkdtempSync(join(tmpdir(), 'tutti-wtr-'))}`,
        ],
      },
    }),
  ],
};
