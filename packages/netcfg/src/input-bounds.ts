// Zod building blocks for values that cross the network into the database. Postgres refuses a
// NUL byte in text, a lone UTF-16 surrogate cannot be encoded as UTF-8, `integer` columns stop
// at 2^31-1, `bigint` at 2^63-1 and `timestamp` has no year 0: each of these reaching Prisma is
// a database error (a 500), so every input is held to them before it gets that far.
import { z } from "zod";

/** Largest value of a Postgres `integer` column. */
export const INT32_MAX = 2_147_483_647;

/** Largest value of a Postgres `bigint` column (as a bigint). */
export const INT8_MAX = 9_223_372_036_854_775_807n;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `value` can be stored as Postgres text: no NUL byte, no lone surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
}

/** A string Postgres can store (see {@link isStorableText}); chain `.max()` etc. as usual. */
export function zText() {
  return z.string().refine(isStorableText, "contains a NUL byte or an unpaired surrogate");
}

/** A non-negative integer that fits a Postgres `integer` column. */
export const ZUint32Column = z.number().int().min(0).max(INT32_MAX);

/** An ISO date-time within years 1970..9999 (Postgres has no year 0; nothing we see predates 1970). */
export const ZSaneDateTime = z.iso.datetime().refine((value) => {
  const year = Number(value.slice(0, 4));
  return year >= 1970 && year <= 9999;
}, "date out of range (1970..9999)");

/** A decimal id of a `bigint` column (e.g. a pagination cursor): 1..2^63-1. */
export const ZInt8Id = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, "a positive decimal integer")
  .refine((value) => BigInt(value) <= INT8_MAX, "larger than a bigint");
