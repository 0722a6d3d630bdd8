/**
 * Building blocks of the decoders of untrusted input (play state, groups): checkers that throw
 * {@link Invalid} with a reason, and {@link decode}, which turns a builder into a result that
 * never throws. Pure.
 */

/** Longest free text a checker accepts by default, characters. */
export const MAX_CHECKED_TEXT_CHARS = 200;

/** A decoded value, or why the input was refused. */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Thrown by the checkers below and caught by {@link decode}; never escapes a decoder. */
export class Invalid extends Error {}

export function need(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new Invalid(reason);
}

export function decode<T>(build: () => T): Decoded<T> {
  try {
    return { ok: true, value: build() };
  } catch (e) {
    // Anything else (e.g. a throwing getter on a hostile object) is refused too.
    return { ok: false, reason: e instanceof Invalid ? e.message : 'malformed input' };
  }
}

export function record(v: unknown, what: string): Record<string, unknown> {
  need(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} must be an object`);
  return v as Record<string, unknown>;
}

export function list(v: unknown, minLength: number, maxLength: number, what: string): readonly unknown[] {
  need(Array.isArray(v), `${what} must be an array`);
  need(v.length >= minLength && v.length <= maxLength, `${what} must have ${minLength}–${maxLength} entries`);
  return Array.from(v); // holes become undefined and are checked like any element
}

export function num(v: unknown, min: number, max: number, what: string): number {
  need(typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max, `${what} must be a number in [${min}, ${max}]`);
  return v;
}

export function int(v: unknown, min: number, max: number, what: string): number {
  need(Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max, `${what} must be an integer in [${min}, ${max}]`);
  return v as number;
}

export function matching(v: unknown, pattern: RegExp, what: string): string {
  need(typeof v === 'string' && v.length <= MAX_CHECKED_TEXT_CHARS && pattern.test(v), `${what} is not valid`);
  return v;
}

export function text(v: unknown, what: string, maxChars = MAX_CHECKED_TEXT_CHARS): string {
  need(typeof v === 'string' && v.length <= maxChars, `${what} must be a string of ≤ ${maxChars} chars`);
  return v;
}

