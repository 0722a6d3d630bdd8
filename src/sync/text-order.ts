/**
 * The order of names and titles in lists (speakers, groups, tracks): the same on every device,
 * whatever its locale, and free of the locale's collator. `localeCompare` loads ICU's collation
 * data on its first call: 10–13 ms on an idle page, and 134 ms of a joining page's main thread in a
 * bench:late-join trace (the first sort of the speaker list, in the middle of the join). Pure.
 */

/**
 * Compares two strings: case-insensitively by UTF-16 code units, then exactly. A total order:
 * 0 only for equal strings; negative when `a` comes first.
 */
export function compareText(a: string, b: string): number {
  const foldedA = a.toLowerCase();
  const foldedB = b.toLowerCase();
  if (foldedA !== foldedB) return foldedA < foldedB ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
