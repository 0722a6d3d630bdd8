/**
 * `npm run bench:bundle`: gzip sizes of the built app (run `vite build` first). The initial load
 * is the entry chunk of index.html plus every chunk it imports statically (what the browser must
 * fetch and run before the app starts); everything reachable only through dynamic `import()` is
 * lazy. Reads dist/.vite/manifest.json (vite.config.ts sets `build.manifest`). Exits non-zero
 * when the initial JS exceeds BUDGET_KB (gzip).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
/** The target for the first load's JavaScript, KB gzip (1 KB = 1000 bytes, as vite prints). */
const BUDGET_KB = 60;

interface ManifestChunk {
  readonly file: string;
  readonly isEntry?: boolean;
  readonly imports?: readonly string[];
  readonly dynamicImports?: readonly string[];
}
type Manifest = Record<string, ManifestChunk>;

interface Sized {
  readonly file: string;
  readonly rawKb: number;
  readonly gzipKb: number;
}

async function size(file: string): Promise<Sized> {
  const bytes = await readFile(`${dist}${file}`);
  return { file, rawKb: bytes.length / 1000, gzipKb: gzipSync(bytes, { level: 9 }).length / 1000 };
}

/** Keys reachable from `roots` through static imports (roots included). */
function staticClosure(manifest: Manifest, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    stack.push(...(manifest[key]?.imports ?? []));
  }
  return seen;
}

function table(rows: readonly Sized[]): string {
  return rows.map((r) => `  ${r.gzipKb.toFixed(2).padStart(8)} KB gzip  ${r.rawKb.toFixed(2).padStart(8)} KB raw  ${r.file}`).join('\n');
}

const sum = (rows: readonly Sized[], pick: (r: Sized) => number): number => rows.reduce((total, r) => total + pick(r), 0);

async function main(): Promise<void> {
  const manifest = JSON.parse(await readFile(`${dist}.vite/manifest.json`, 'utf8')) as Manifest;
  const entries = Object.keys(manifest).filter((key) => manifest[key]!.isEntry === true);
  if (entries.length === 0) throw new Error('no entry chunk in the manifest');
  const initialKeys = staticClosure(manifest, entries);
  const jsFiles = (keys: Iterable<string>): string[] => [...new Set([...keys].map((k) => manifest[k]!.file).filter((f) => f.endsWith('.js')))];
  const initial = await Promise.all(jsFiles(initialKeys).map(size));
  const lazyKeys = Object.keys(manifest).filter((key) => !initialKeys.has(key));
  const lazy = await Promise.all(jsFiles(lazyKeys).map(size));
  initial.sort((a, b) => b.gzipKb - a.gzipKb);
  lazy.sort((a, b) => b.gzipKb - a.gzipKb);
  const initialGzipKb = sum(initial, (r) => r.gzipKb);
  console.log(`Initial JS (entry + static imports): ${initialGzipKb.toFixed(2)} KB gzip, ${sum(initial, (r) => r.rawKb).toFixed(2)} KB raw (budget ${BUDGET_KB} KB gzip)`);
  console.log(table(initial));
  console.log(`Lazy JS (dynamic imports, workers): ${sum(lazy, (r) => r.gzipKb).toFixed(2)} KB gzip in ${lazy.length} chunks`);
  console.log(table(lazy));
  if (initialGzipKb > BUDGET_KB) {
    console.error(`Initial JS is over budget by ${(initialGzipKb - BUDGET_KB).toFixed(2)} KB gzip`);
    process.exitCode = 1;
  }
}

await main();
