/** Command-line options of the benchmarks: `--name value` numbers and bare `--flag`s. */

const args = process.argv.slice(2);

/** The number after `--name`, or `fallback` when the option is absent; throws on a non-number. */
export function numberArg(name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  const parsed = at >= 0 && at + 1 < args.length ? Number(args[at + 1]) : fallback;
  if (!Number.isFinite(parsed)) throw new Error(`--${name} needs a number`);
  return parsed;
}

/** The comma-separated numbers after `--name` (e.g. `0,2.5,6.25`), or `fallback`; throws on a non-number. */
export function numberListArg(name: string, fallback: readonly number[]): readonly number[] {
  const raw = stringArg(name);
  if (raw === undefined) return fallback;
  const values = raw.split(',').map(Number);
  if (!values.every(Number.isFinite)) throw new Error(`--${name} needs comma-separated numbers`);
  return values;
}

/** Whether `--name` was given. */
export function hasFlag(name: string): boolean {
  return args.includes(`--${name}`);
}

/** The string after `--name`, or undefined when the option is absent. */
export function stringArg(name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : undefined;
}
