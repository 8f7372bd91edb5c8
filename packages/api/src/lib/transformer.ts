// The API's data transformer: superjson (dates, bigints) everywhere, with one shortcut. A
// compiled node config is plain JSON already, and superjson's walk over a 500-peer config
// costs ~35 ms; pushed to 500 agents per change that is seconds. Values marked plain here are
// sent as `{ json: value }`, exactly what superjson.serialize would produce for them.
import superjson from "superjson";

const plainJsonValues = new WeakSet<object>();

/** Mark `value` as plain JSON (strings, finite numbers, booleans, null, arrays, objects). */
export function markPlainJson<T extends object>(value: T): T {
  plainJsonValues.add(value);
  return value;
}

/** tRPC transformer: superjson, skipping the walk for values marked plain. */
export const transformer = {
  input: superjson,
  output: {
    serialize: (value: unknown) =>
      typeof value === "object" && value !== null && plainJsonValues.has(value)
        ? { json: value }
        : superjson.serialize(value),
    deserialize: (value: unknown) => superjson.deserialize(value as never),
  },
};
