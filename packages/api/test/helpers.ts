// Shared set-up for the API integration tests: a migrated throwaway database with settings,
// callers acting as anonymous / admin / viewer / agent, and a real HTTP server when needed.
import type { TPrismaClient } from "@meshover/prisma";
import { createTestDatabase, type TTestDatabase } from "@meshover/prisma/testing";
import { hashPassword } from "../src/lib/secrets";
import { SESSION_COOKIE } from "../src/lib/session-cookie";
import { createCaller } from "../src/root";
import { ensureSettings } from "../src/services/settings/ensure-settings";
import { createContextInner } from "../src/trpc";

/** The password every test user gets. */
export const TEST_PASSWORD = "correct horse battery staple";

/** A fresh database with the settings row. */
export async function createApiTestDatabase(): Promise<TTestDatabase> {
  const testDb = await createTestDatabase();
  await ensureSettings({ db: testDb.db });
  return testDb;
}

/** A caller sending `headers` (none: an anonymous non-browser client). */
export function callAs(db: TPrismaClient, headers: Record<string, string> = {}) {
  const resHeaders = new Headers();
  const caller = createCaller(
    createContextInner({ db, headers: new Headers(headers), resHeaders }),
  );
  // The caller is itself a Proxy over procedure paths, so resHeaders is added by another one.
  return new Proxy(caller, {
    get: (target, key, receiver) =>
      key === "resHeaders" ? resHeaders : (Reflect.get(target, key, receiver) as unknown),
  }) as typeof caller & { resHeaders: Headers };
}

/** Create a user and sign in through auth.login; returns a caller carrying its cookie. */
export async function signInAs(
  db: TPrismaClient,
  { email, role }: { email: string; role: "admin" | "viewer" },
) {
  await db.user.upsert({
    where: { email },
    create: { email, role, passwordHash: await hashPassword(TEST_PASSWORD) },
    update: {},
  });
  const anonymous = callAs(db);
  await anonymous.auth.login({ email, password: TEST_PASSWORD });
  const cookie = readSessionCookie(anonymous.resHeaders);
  return callAs(db, { cookie: `${SESSION_COOKIE}=${cookie}` });
}

/** The session token in a response's Set-Cookie. */
export function readSessionCookie(headers: Headers): string {
  for (const value of headers.getSetCookie()) {
    const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(value);
    if (match?.[1]) return decodeURIComponent(match[1]);
  }
  throw new Error("no session cookie was set");
}

/**
 * Poll `check` until it returns something truthy and return that; throws naming `what` when
 * `timeoutMs` passes first. For waits on other processes and streams (real time by nature).
 */
export async function waitUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
