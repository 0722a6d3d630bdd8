/**
 * `npm run bench:lanes`: how long a small message waits while a track's chunks fill a link.
 * Two WebRTC connections in one Chromium page (no signaling server, no app): one sends `--mb` MB in
 * 64 KB chunks, keeping at most 256 KB (the chunk server's high-water mark) or 64 KB buffered,
 * while every 10 ms a ping goes out on each lane and is echoed back on it:
 *   - bulk: the chunks' own reliable ordered channel (what every message used before the timely lane);
 *   - timely: a negotiated unordered channel on the same connection, never re-sent (timing-lane.ts);
 *   - own connection: an unordered channel on a second connection (reference).
 * Prints round trips (p50/p90/max, ms) idle and during the transfer, and the transfer's throughput,
 * for each high-water mark. Localhost's round trip is ~1 ms, so the 64 KB row says nothing about a
 * LAN's (a simulated 5 ms link lost half its throughput at 64 KB: track-exchange-types.ts).
 *
 *   npm run bench:lanes                     40 MB, high water 256 and 64 KB, 2 rounds
 *   npm run bench:lanes -- --mb 20 --rounds 3
 */
import { chromium } from 'playwright-core';
import { CHROME_PATH, CHROMIUM_FLAGS } from '../test/chromium-flags.mjs';
import { TIMING_CHANNEL_ID } from '../src/shell/timing-lane.js';
import { numberArg } from './cli-args.js';
import { percentile } from './stats.js';

const megabytes = numberArg('mb', 40);
const rounds = numberArg('rounds', 2);
const highWaterKb = [256, 64];

interface LaneRun {
  throughputMBps: number;
  idle: Record<string, number[]>;
  during: Record<string, number[]>;
}

const browser = await chromium.launch({ executablePath: CHROME_PATH, headless: true, args: [...CHROMIUM_FLAGS] });
try {
  const page = await browser.newPage();
  // tsx (esbuild keepNames) wraps named functions in a `__name` helper the page does not have.
  await page.evaluate('globalThis.__name = (f) => f');
  const f = (xs: number[], q: number): string => (xs.length === 0 ? '—' : percentile([...xs].sort((a, b) => a - b), q).toFixed(1));
  const cell = (xs: number[]): string => `${f(xs, 0.5)} / ${f(xs, 0.9)} / ${f(xs, 1)}`;
  console.log(`### Ping round trips while ${megabytes} MB of 64 KB chunks cross one link (ms, p50 / p90 / max)\n`);
  console.log('| high water | round | throughput MB/s | bulk idle | bulk during | timely idle | timely during | own connection idle | own connection during |');
  console.log('|---:|---:|---:|---|---|---|---|---|---|');
  for (let round = 1; round <= rounds; round++) {
    for (const highKb of highWaterKb) {
      const run: LaneRun = await page.evaluate(runLanes, { totalBytes: megabytes * 1024 * 1024, highBytes: highKb * 1024, timelyChannelId: TIMING_CHANNEL_ID });
      console.log(`| ${highKb} KB | ${round} | ${run.throughputMBps.toFixed(1)} | ${cell(run.idle.bulk!)} | ${cell(run.during.bulk!)} | ${cell(run.idle.timely!)} | ${cell(run.during.timely!)} | ${cell(run.idle.own!)} | ${cell(run.during.own!)} |`);
    }
  }
} finally {
  await browser.close();
}

/** Runs in the page: connects the pairs, pings idle, then pings during the transfer. */
async function runLanes({ totalBytes, highBytes, timelyChannelId }: { totalBytes: number; highBytes: number; timelyChannelId: number }): Promise<LaneRun> {
  async function connect(init: RTCDataChannelInit): Promise<{ a: RTCPeerConnection; b: RTCPeerConnection; sending: RTCDataChannel; receiving: RTCDataChannel }> {
    const a = new RTCPeerConnection({ iceServers: [] });
    const b = new RTCPeerConnection({ iceServers: [] });
    a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
    b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
    const sending = a.createDataChannel('lane', init);
    const received = new Promise<RTCDataChannel>((resolve) => (b.ondatachannel = (e) => resolve(e.channel)));
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    await new Promise((resolve) => (sending.onopen = resolve));
    const receiving = await received;
    receiving.binaryType = 'arraybuffer';
    return { a, b, sending, receiving };
  }
  const opened = (channel: RTCDataChannel): Promise<unknown> => (channel.readyState === 'open' ? Promise.resolve() : new Promise((resolve) => (channel.onopen = resolve)));
  const bulkPair = await connect({ ordered: true });
  // As src/shell/timing-lane.ts opens it.
  const timelyInit: RTCDataChannelInit = { negotiated: true, id: timelyChannelId, ordered: false, maxRetransmits: 0 };
  const timely = bulkPair.a.createDataChannel('timely', timelyInit);
  const timelyEcho = bulkPair.b.createDataChannel('timely', timelyInit);
  const ownPair = await connect({ ordered: false, maxRetransmits: 0 });
  await Promise.all([opened(timely), opened(timelyEcho)]);
  const lanes: Record<string, [RTCDataChannel, RTCDataChannel]> = {
    bulk: [bulkPair.sending, bulkPair.receiving],
    timely: [timely, timelyEcho],
    own: [ownPair.sending, ownPair.receiving],
  };
  let receivedBytes = 0;
  const rtts: Record<string, number[]> = { bulk: [], timely: [], own: [] };
  for (const [name, [out, echo]] of Object.entries(lanes)) {
    echo.addEventListener('message', (e: MessageEvent) => {
      if (typeof e.data === 'string') echo.send(e.data);
      else receivedBytes += (e.data as ArrayBuffer).byteLength;
    });
    out.addEventListener('message', (e: MessageEvent) => {
      if (typeof e.data === 'string') rtts[name]!.push(performance.now() - Number(e.data));
    });
  }
  const pingAll = (): void => {
    for (const [out] of Object.values(lanes)) out.send(String(performance.now()));
  };
  for (let i = 0; i < 50; i++) {
    pingAll();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const idle = { bulk: rtts.bulk!.splice(0), timely: rtts.timely!.splice(0), own: rtts.own!.splice(0) };
  const chunk = new ArrayBuffer(64 * 1024);
  const bulk = bulkPair.sending;
  let sentBytes = 0;
  const pump = (): void => {
    while (sentBytes < totalBytes && bulk.bufferedAmount < highBytes) {
      bulk.send(chunk);
      sentBytes += chunk.byteLength;
    }
  };
  bulk.bufferedAmountLowThreshold = highBytes / 2;
  bulk.onbufferedamountlow = pump;
  const startedMs = performance.now();
  pump();
  const pinger = setInterval(pingAll, 10);
  while (receivedBytes < totalBytes) await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(pinger);
  const seconds = (performance.now() - startedMs) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const pc of [bulkPair.a, bulkPair.b, ownPair.a, ownPair.b]) pc.close();
  return { throughputMBps: totalBytes / 1e6 / seconds, idle, during: rtts };
}
