// Server-side calls for React Server Components: the same procedures and checks as over HTTP,
// with the incoming request's headers (so the session cookie applies), without an HTTP hop.
import { getDb } from "./db";
import { readControllerEnv } from "./env";
import { createCaller } from "./root";
import { createContextInner } from "./trpc";

/** A caller acting as whoever sent `headers` (pass `await headers()` from next/headers). */
export function createServerCaller(headers: Headers) {
  return createCaller(
    createContextInner({
      db: getDb(),
      headers,
      publicUrl: readControllerEnv().MESHOVER_PUBLIC_URL,
    }),
  );
}
