/**
 * The app-less test page of the rig check: a static server (cross-origin isolated, so the pages
 * get 5 µs `performance.now()`) serving a blank page and a WAV, and the page-side steps, run with
 * `page.evaluate`: decode the WAV into an AudioContext, then start it at a host-clock instant
 * converted to context time through `getOutputTimestamp()`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { guard } from './process-guard.js';

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** A running static server. */
export interface StaticServer {
  readonly origin: string;
  dispose(): Promise<void>;
}

/** Serves `/` (a blank page) and `/demo.wav` (`wav`) on 127.0.0.1 and a free port. */
export async function serveRigPage(wav: Uint8Array): Promise<StaticServer> {
  const server = createServer((request, response) => {
    if (request.url === '/demo.wav') {
      response.writeHead(200, { ...ISOLATION, 'Content-Type': 'audio/wav', 'Content-Length': wav.byteLength });
      response.end(wav);
    } else {
      response.writeHead(200, { ...ISOLATION, 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>rig check</title><p>rig check</p>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dispose = async (): Promise<void> => {
    unguard();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const unguard = guard(dispose);
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dispose };
}

/** What a page reports about its audio output after scheduling the start. */
export interface PageStartInfo {
  readonly crossOriginIsolated: boolean;
  readonly sampleRateHz: number;
  readonly baseLatencyMs: number;
  readonly outputLatencyMs: number;
  /** Spread (max − min) of (contextTime − performanceTime) over the getOutputTimestamp samples, ms. */
  readonly timestampSpreadMs: number;
  /** Age of the last getOutputTimestamp sample (performance.now() − performanceTime), ms. */
  readonly timestampAgeMs: number;
  /** Context time the source was started at, s. */
  readonly startContextSec: number;
  /** Seconds of context time between scheduling and the start (must be > 0). */
  readonly leadSec: number;
}

/** Loads `/demo.wav` into an AudioContext on `page` and waits until the context is running. */
export async function prepareRigPage(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const ctx = new AudioContext();
    const bytes = await (await fetch('/demo.wav')).arrayBuffer();
    const buffer = await ctx.decodeAudioData(bytes);
    await ctx.resume();
    while (ctx.getOutputTimestamp().contextTime === 0 || ctx.getOutputTimestamp().contextTime === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    Object.assign(globalThis, { rig: { ctx, buffer } });
  });
}

/**
 * Starts the loaded buffer (from its beginning) when the host clock (`timeOrigin + now`, ms since
 * the epoch) reads `hostMs` at the OUTPUT: context time = median over `samples` getOutputTimestamp
 * readings of (contextTime − performanceTime), applied to `hostMs − timeOrigin`.
 * `shift`: `atSec` after the start, playback continues from a source started at exactly that
 * context time but `ms` earlier in the track, so from then on this speaker is `ms` later — a
 * known offset change within ONE context, free of getOutputTimestamp's error.
 */
export function startRigPageAt(page: Page, hostMs: number, shift: { atSec: number; ms: number }, samples = 15): Promise<PageStartInfo> {
  return page.evaluate(
    async ({ hostMs, samples, shift }) => {
      const { ctx, buffer } = (globalThis as unknown as { rig: { ctx: AudioContext; buffer: AudioBuffer } }).rig;
      const offsetsSec: number[] = [];
      let last = ctx.getOutputTimestamp();
      for (let i = 0; i < samples; i++) {
        last = ctx.getOutputTimestamp();
        offsetsSec.push(last.contextTime! - last.performanceTime! / 1000);
        await new Promise((resolve) => setTimeout(resolve, 7));
      }
      offsetsSec.sort((a, b) => a - b);
      const offsetSec = offsetsSec[Math.floor(offsetsSec.length / 2)]!;
      const startContextSec = (hostMs - performance.timeOrigin) / 1000 + offsetSec;
      const first = new AudioBufferSourceNode(ctx, { buffer });
      first.connect(ctx.destination);
      first.start(startContextSec);
      first.stop(startContextSec + shift.atSec);
      const second = new AudioBufferSourceNode(ctx, { buffer });
      second.connect(ctx.destination);
      second.start(startContextSec + shift.atSec, shift.atSec - shift.ms / 1000);
      return {
        crossOriginIsolated: globalThis.crossOriginIsolated,
        sampleRateHz: ctx.sampleRate,
        baseLatencyMs: ctx.baseLatency * 1000,
        outputLatencyMs: ctx.outputLatency * 1000,
        timestampSpreadMs: (offsetsSec.at(-1)! - offsetsSec[0]!) * 1000,
        timestampAgeMs: performance.now() - last.performanceTime!,
        startContextSec,
        leadSec: startContextSec - ctx.currentTime,
      };
    },
    { hostMs, samples, shift },
  );
}
