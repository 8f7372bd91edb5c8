import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { bootstrapAdmin } from "../src/services/auth/bootstrap-admin";
import { hashSecret } from "../src/lib/secrets";
import { MAX_FAILURES_PER_EMAIL } from "../src/services/auth/log-in";
import { SESSION_IDLE_MS } from "../src/lib/session-cookie";
import {
  TEST_PASSWORD,
  callAs,
  createApiTestDatabase,
  readSessionCookie,
  signInAs,
} from "./helpers";

let testDb: TTestDatabase;
beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});
beforeEach(async () => {
  await testDb.db.user.deleteMany();
  await testDb.db.setupCode.deleteMany();
  await testDb.db.auditEvent.deleteMany();
  await testDb.db.loginAttempt.deleteMany();
});

describe("auth", () => {
  it("sets up the first admin with the printed one-time code, once", async () => {
    const boot = await bootstrapAdmin({ db: testDb.db });
    if (boot.kind !== "setup-code") throw new Error("expected a setup code");
    const anonymous = callAs(testDb.db);
    expect(await anonymous.auth.status()).toEqual({ needsSetup: true });
    await expect(
      anonymous.auth.setup({
        code: "x".repeat(32),
        email: "a@example.com",
        password: TEST_PASSWORD,
      }),
    ).rejects.toThrow(/setup code is wrong/);
    const user = await anonymous.auth.setup({
      code: boot.code,
      email: "Admin@Example.com",
      password: TEST_PASSWORD,
    });
    expect(user).toMatchObject({ email: "admin@example.com", role: "admin" });
    const cookie = anonymous.resHeaders.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const token = readSessionCookie(anonymous.resHeaders);
    const me = await callAs(testDb.db, { cookie: `meshover_session=${token}` }).auth.me();
    expect(me?.email).toBe("admin@example.com");
    await expect(
      callAs(testDb.db).auth.setup({
        code: boot.code,
        email: "b@example.com",
        password: TEST_PASSWORD,
      }),
    ).rejects.toThrow(/wrong, used or expired/);
    expect(await testDb.db.user.count()).toBe(1);
  });

  it("logs in, marks the cookie Secure over https, and logs out server-side", async () => {
    await signInAs(testDb.db, { email: "ops@example.com", role: "admin" });
    const https = callAs(testDb.db, { "x-forwarded-proto": "https" });
    await https.auth.login({ email: "ops@example.com", password: TEST_PASSWORD });
    expect(https.resHeaders.getSetCookie()[0]).toMatch(/; Secure/);
    const token = readSessionCookie(https.resHeaders);
    const session = await testDb.db.session.findUnique({ where: { tokenHash: hashSecret(token) } });
    expect(session).not.toBeNull();
    const signedIn = callAs(testDb.db, { cookie: `meshover_session=${token}` });
    expect((await signedIn.auth.me())?.email).toBe("ops@example.com");
    await signedIn.auth.logout();
    expect(signedIn.resHeaders.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect(await signedIn.auth.me()).toBeNull();
    await expect(signedIn.auth.logout()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("rejects a wrong password and rate-limits repeated failures", async () => {
    await signInAs(testDb.db, { email: "ops@example.com", role: "admin" });
    const anonymous = callAs(testDb.db, { "x-forwarded-for": "192.0.2.7" });
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
      await expect(
        anonymous.auth.login({ email: "ops@example.com", password: "wrong password!" }),
      ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    // Even the right password is refused while the limit holds.
    await expect(
      anonymous.auth.login({ email: "ops@example.com", password: TEST_PASSWORD }),
    ).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("expires idle sessions", async () => {
    const admin = await signInAs(testDb.db, { email: "ops@example.com", role: "admin" });
    expect(await admin.auth.me()).not.toBeNull();
    await testDb.db.session.updateMany({
      data: { lastSeenAt: new Date(Date.now() - SESSION_IDLE_MS - 1000) },
    });
    expect(await admin.auth.me()).toBeNull();
    expect(await testDb.db.session.count()).toBe(0);
  });

  it("refuses cross-origin mutations", async () => {
    await signInAs(testDb.db, { email: "ops@example.com", role: "admin" });
    const forged = callAs(testDb.db, {
      host: "controller.example",
      origin: "https://evil.example",
    });
    await expect(
      forged.auth.login({ email: "ops@example.com", password: TEST_PASSWORD }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const sameSite = callAs(testDb.db, {
      host: "controller.example",
      origin: "https://controller.example",
    });
    await expect(
      sameSite.auth.login({ email: "ops@example.com", password: TEST_PASSWORD }),
    ).resolves.toMatchObject({ email: "ops@example.com" });
  });
});
