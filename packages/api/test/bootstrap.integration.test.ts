import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TTestDatabase } from "@meshover/prisma/testing";
import { bootstrapAdmin } from "../src/services/auth/bootstrap-admin";
import { ensureSettings } from "../src/services/settings/ensure-settings";
import { hashSecret, verifyPassword } from "../src/lib/secrets";

let testDb: TTestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});
beforeEach(async () => {
  await testDb.db.user.deleteMany();
  await testDb.db.setupCode.deleteMany();
});

describe("bootstrapAdmin", () => {
  it("issues a one-time setup code, stored only as a hash, when no user exists", async () => {
    const result = await bootstrapAdmin({ db: testDb.db });
    if (result.kind !== "setup-code") throw new Error(`expected a setup code, got ${result.kind}`);
    const rows = await testDb.db.setupCode.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.codeHash).toBe(hashSecret(result.code));
    expect(JSON.stringify(rows)).not.toContain(result.code);
  });

  it("invalidates the previous code on the next start", async () => {
    await bootstrapAdmin({ db: testDb.db });
    const second = await bootstrapAdmin({ db: testDb.db });
    if (second.kind !== "setup-code") throw new Error("expected a setup code");
    const rows = await testDb.db.setupCode.findMany();
    expect(rows.map((r) => r.codeHash)).toEqual([hashSecret(second.code)]);
  });

  it("creates the admin from the environment instead, with an Argon2id hash and an audit event", async () => {
    const result = await bootstrapAdmin({
      db: testDb.db,
      adminEmail: "Ops@Example.com",
      adminPassword: "a long enough password",
    });
    expect(result).toEqual({ kind: "created-admin", email: "ops@example.com" });
    const user = await testDb.db.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(user.role).toBe("admin");
    expect(await verifyPassword(user.passwordHash, "a long enough password")).toBe(true);
    expect(await testDb.db.auditEvent.count({ where: { action: "user.bootstrap" } })).toBe(1);
  });

  it("does nothing once a user exists", async () => {
    await bootstrapAdmin({ db: testDb.db, adminEmail: "a@b.co", adminPassword: "password-123456" });
    expect(await bootstrapAdmin({ db: testDb.db })).toEqual({ kind: "has-users" });
    expect(await testDb.db.setupCode.count()).toBe(0);
  });
});

describe("ensureSettings", () => {
  it("creates one settings row with a ULA /48 once and keeps it on later starts", async () => {
    const first = await ensureSettings({ db: testDb.db });
    expect(first.ipv6Pool).toMatch(/^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/48$/);
    const second = await ensureSettings({ db: testDb.db });
    expect(second.ipv6Pool).toBe(first.ipv6Pool);
    expect(await testDb.db.setting.count()).toBe(1);
  });
});
