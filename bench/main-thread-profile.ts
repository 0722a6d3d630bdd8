/**
 * Where a page's main thread spends its time, over a window: Chromium's own task metrics (CDP
 * `Performance.getMetrics`: tasks, script, style, layout) and a V8 sampling profile summed by
 * function (self time). Both as a share of one core over the window. For benchmarks only.
 */
import type { Page } from 'playwright-core';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Metrics of `Performance.getMetrics` (seconds of main-thread time) shown, in this order. */
const METRICS = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration', 'TaskOtherDuration'] as const;
/** Functions listed. */
const TOP = 15;

/** Profiles `page` for `seconds`; resolves with table lines (markdown). */
export async function profileMainThread(page: Page, seconds: number, samplingIntervalUs = 500): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  const metricsOf = async (): Promise<Map<string, number>> => new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metricsOf();
  const startMs = performance.now();
  await cdp.send('Profiler.start');
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  const after = await metricsOf();
  const wallSec = (performance.now() - startMs) / 1000;
  await cdp.detach();

  const share = (sec: number): string => `${((sec / wallSec) * 100).toFixed(2)}`;
  const lines = [`| ${METRICS.join(' | ')} |`, `|${METRICS.map(() => '---:').join('|')}|`];
  lines.push(`| ${METRICS.map((m) => share((after.get(m) ?? Number.NaN) - (before.get(m) ?? Number.NaN))).join(' | ')} |`);

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    const file = frame.url.split('/').at(-1) ?? '';
    const key = file === '' ? frame.functionName || '(anonymous)' : `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const ranked = [...selfUs].filter(([key]) => key !== '(idle)').sort((a, b) => b[1] - a[1]);
  const busyUs = ranked.reduce((sum, [, us]) => sum + us, 0);
  lines.push('', `Sampled busy time ${share(busyUs / 1e6)} % (idle excluded); by function (self):`, '', '| function | % of a core |', '|---|---:|');
  for (const [key, us] of ranked.slice(0, TOP)) lines.push(`| ${key.replaceAll('|', '\\|')} | ${share(us / 1e6)} |`);
  return lines;
}
