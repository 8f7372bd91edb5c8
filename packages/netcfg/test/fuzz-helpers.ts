// Shared pieces of the fuzz (property) tests of everything meshover reads from the network or
// from a tool: a fixed seed and run budget for CI (MESHOVER_FUZZ_RUNS / MESHOVER_FUZZ_SEED for
// longer runs, see scripts/fuzz.mjs), values at the edges of what Postgres and JSON hold, and a
// structure-aware mutator that changes one node of a valid sample.
import fc from "fast-check";

/** fast-check parameters of every fuzz property: reproducible in CI, longer on demand. */
/* eslint-disable no-restricted-properties -- test configuration, like a *.test.ts reads */
export const FUZZ_PARAMETERS = {
  seed: Number(process.env.MESHOVER_FUZZ_SEED ?? 13),
  numRuns: Number(process.env.MESHOVER_FUZZ_RUNS ?? 300),
};
/* eslint-enable no-restricted-properties */

/** Values at the limits: NUL bytes, lone surrogates, int32/int53 edges, odd dates, shapes. */
export const edgeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "",
    "\u0000",
    "a\u0000b",
    "\uD800",
    "x\uDC00",
    "\uD83D\uDE00",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "10000-01-01T00:00:00Z",
    "not a date",
    "9223372036854775808",
    "-1",
    " ",
    "\n",
    "(none)",
    "off",
  ),
  fc.constantFrom(
    0,
    -1,
    1.5,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    2 ** 53 - 1,
    2 ** 53,
    -(2 ** 53),
    1e308,
    -0,
  ),
  fc.constantFrom(null, true, false, [], {}),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ maxLength: 300 }).map((text) => text.repeat(20)),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

function listPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) {
    return here.concat((value as unknown[]).flatMap((item, i) => listPaths(item, [...prefix, i])));
  }
  if (value !== null && typeof value === "object") {
    return here.concat(
      Object.entries(value).flatMap(([key, item]) => listPaths(item, [...prefix, key])),
    );
  }
  return here;
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...(value as unknown[])];
    const index = head as number;
    if (replacement === undefined && rest.length === 0) copy.splice(index, 1);
    else copy[index] = replaceAt(copy[index], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  if (replacement === undefined && rest.length === 0) delete copy[head as string];
  else copy[head as string] = replaceAt(copy[head as string], rest, replacement);
  return copy;
}

/**
 * `sample` with one to three of its nodes replaced by an edge value, deleted, or (for objects)
 * given an extra field: most of the message stays valid, so the parser gets past its first
 * check and meets the odd value where it matters.
 */
export function mutateJson(sample: unknown): fc.Arbitrary<unknown> {
  const paths = listPaths(sample);
  const edit = fc.record({
    path: fc.constantFrom(...paths),
    action: fc.constantFrom("replace", "replace", "replace", "delete", "extra"),
    value: edgeValue,
  });
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) =>
    edits.reduce<unknown>((current, { path, action, value }) => {
      if (action === "delete")
        return path.length === 0 ? current : replaceAt(current, path, undefined);
      if (action === "extra") return replaceAt(current, [...path, "unexpected"], value);
      return replaceAt(current, path, value);
    }, sample),
  );
}
