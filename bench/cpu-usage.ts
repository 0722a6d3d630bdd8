/**
 * CPU time of a Chromium process tree, read from /proc (Linux): per process kind (browser,
 * renderer, GPU, audio service, network, other utility) and per renderer thread (by its name,
 * e.g. CrRendererMain, AudioWorklet, DedicatedWorker, Compositor). Two snapshots give the share
 * of one core each used between them. Processes or threads that start or end between the
 * snapshots count for the time both saw them.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime/stime (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_SEC = 100;

/** CPU ticks (user + system) by key, at one moment. */
export interface CpuSnapshot {
  readonly atMs: number;
  /** Per process kind, per "kind/thread name" of renderer threads, and per tid (to pair snapshots). */
  readonly ticks: ReadonlyMap<string, { readonly label: string; readonly ticks: number }>;
}

/** PIDs of the descendants of `pid` (from /proc). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent PID (after the parenthesized command name).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended meanwhile.
    }
  }
  const out: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

/** What a Chromium process is, from its command line. */
export function processKind(cmdline: string): string {
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1];
  if (type === undefined) return 'browser';
  if (type !== 'utility') return type;
  const sub = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1] ?? '';
  if (sub.includes('AudioService')) return 'audio-service';
  if (sub.includes('NetworkService')) return 'network';
  return 'utility';
}

/** utime + stime of a /proc stat line, ticks. */
function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name, utime and stime are fields 14 and 15 of the line (11 and 12 here, 0-based from state).
  return Number(fields[11]) + Number(fields[12]);
}

/** Thread name with digits dropped (ThreadPoolForegroundWorker3 → ThreadPoolForegroundWorker). */
const threadGroup = (comm: string): string => comm.trim().replace(/\d+$/, '');

/**
 * Ticks of `rootPid` and its descendants: every thread keyed by tid, labelled with its process
 * kind, and for renderers also with its thread name ("renderer/CrRendererMain").
 */
export function snapshotTree(rootPid: number): CpuSnapshot {
  const ticks = new Map<string, { label: string; ticks: number }>();
  for (const pid of [rootPid, ...descendants(rootPid)]) {
    let kind: string;
    try {
      kind = processKind(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      continue;
    }
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const label = kind === 'renderer' ? `renderer/${threadGroup(readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8'))}` : kind;
        ticks.set(tid, { label, ticks: statTicks(stat) });
      } catch {
        // The thread ended meanwhile.
      }
    }
  }
  return { atMs: performance.now(), ticks };
}

/** Share of one core (%) by label between two snapshots of the same tree (threads in both only). */
export function usageBetween(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const seconds = (after.atMs - before.atMs) / 1000;
  const out = new Map<string, number>();
  for (const [tid, { label, ticks }] of after.ticks) {
    const earlier = before.ticks.get(tid);
    if (earlier === undefined) continue;
    const percent = ((ticks - earlier.ticks) / TICKS_PER_SEC / seconds) * 100;
    out.set(label, (out.get(label) ?? 0) + percent);
  }
  return out;
}

/** Total share of one core (%) of the process kinds (renderer threads summed into "renderer"). */
export function byKind(usage: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [label, percent] of usage) {
    const kind = label.split('/')[0]!;
    out.set(kind, (out.get(kind) ?? 0) + percent);
  }
  return out;
}
