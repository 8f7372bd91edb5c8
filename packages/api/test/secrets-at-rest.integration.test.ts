// Every secret the system hands out (password, session cookie, setup code, enrollment token,
// node credential, metrics token) must be stored only as a hash: dump every table as text and
// look for each secret.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { bootstrapAdmin } from "../src/services/auth/bootstrap-admin";
import { TEST_PASSWORD, callAs, createApiTestDatabase, readSessionCookie } from "./helpers";
import { makeEnrollRequest } from "./http-client";

let testDb: TTestDatabase;
beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

async function dumpAllTables(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    const parts: string[] = [];
    for (const { tablename } of tables.rows) {
      const rows = await client.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM "${tablename}" t`,
      );
      parts.push(...rows.rows.map((r) => `${tablename}: ${r.row}`));
    }
    return parts.join("\n");
  } finally {
    await client.end();
  }
}

describe("secrets at rest", () => {
  it("stores no token, credential, code or password in plain text", async () => {
    const anonymous = callAs(testDb.db);
    const boot = await bootstrapAdmin({ db: testDb.db });
    if (boot.kind !== "setup-code") throw new Error("expected a setup code");
    await anonymous.auth.setup({
      code: boot.code,
      email: "admin@example.com",
      password: TEST_PASSWORD,
    });
    const setupSession = readSessionCookie(anonymous.resHeaders);
    const login = callAs(testDb.db);
    await login.auth.login({ email: "admin@example.com", password: TEST_PASSWORD });
    const session = readSessionCookie(login.resHeaders);
    const admin = callAs(testDb.db, { cookie: `meshover_session=${session}` });
    const { token } = await admin.token.create({ usesAllowed: 2 });
    const enrolled = await anonymous.agent.enroll(makeEnrollRequest(token, "a"));
    const rotated = await admin.key.rotateCredential({ nodeId: enrolled.nodeId });
    const { metricsToken } = await admin.settings.update({ metricsToken: "generate" });
    const secrets = {
      password: TEST_PASSWORD,
      setupCode: boot.code,
      setupSession,
      session,
      token,
      credential: enrolled.credential,
      rotatedCredential: rotated.credential,
      metricsToken: metricsToken!,
    };

    const dump = await dumpAllTables(testDb.url);
    expect(dump).toContain("admin@example.com"); // the dump really has the data
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThan(10);
      expect(dump.includes(secret), `${name} found in plain text`).toBe(false);
    }
  });
});
