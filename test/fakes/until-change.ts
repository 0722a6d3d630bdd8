/**
 * Resolves with `read()` once `check` holds for it, re-checking on each `change` event of
 * `target`; rejects after `timeoutMs` (generous: it catches hangs, not slowness).
 */
export function untilChange<T>(target: EventTarget, read: () => T, check: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const test = (): boolean => {
      const value = read();
      if (!check(value)) return false;
      target.removeEventListener('change', test);
      clearTimeout(timer);
      resolve(value);
      return true;
    };
    const timer = setTimeout(() => {
      target.removeEventListener('change', test);
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(read())}`));
    }, timeoutMs);
    if (!test()) target.addEventListener('change', test);
  });
}
