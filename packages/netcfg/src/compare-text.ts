// Sorting for a stable order, not for people: code-unit order. `localeCompare` builds an ICU
// collator on its first call (about 9 ms of an agent's start, and more on a busy host), and the
// order of interface names, keys and prefixes needs no locale.

/** Compare two strings by UTF-16 code units (for `Array.prototype.sort`). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
