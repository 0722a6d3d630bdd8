/**
 * Cleanup on every way out of a benchmark: normal return, thrown error, Ctrl-C (SIGINT), SIGTERM
 * and SIGHUP. Owners register an async `dispose` (run on signals, then the process exits 130/143)
 * and optionally a synchronous last resort `killNow` (run on the 'exit' event, where only
 * synchronous work is possible, e.g. `child.kill('SIGKILL')` by PID).
 */

interface Guarded {
  readonly dispose: () => Promise<void>;
  readonly killNow?: () => void;
}

const guarded = new Set<Guarded>();
let installed = false;

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

function install(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up…`);
      void disposeAllGuarded().finally(() => process.exit(code));
    });
  }
  process.once('exit', () => {
    for (const entry of guarded) entry.killNow?.();
  });
}

/** Registers a resource; returns a function that unregisters it (call it after a normal dispose). */
export function guard(dispose: () => Promise<void>, killNow?: () => void): () => void {
  install();
  const entry: Guarded = killNow === undefined ? { dispose } : { dispose, killNow };
  guarded.add(entry);
  return () => {
    guarded.delete(entry);
  };
}

/** Disposes every registered resource (newest first), ignoring individual failures. */
export async function disposeAllGuarded(): Promise<void> {
  const entries = [...guarded].reverse();
  guarded.clear();
  for (const entry of entries) {
    await entry.dispose().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

/**
 * Runs a benchmark's body: an error is printed and sets exit code 1; every registered resource is
 * disposed at the end either way.
 */
export async function runGuarded(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await disposeAllGuarded();
  }
}
