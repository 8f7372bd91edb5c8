// The admin CLI as an operator runs it (a separate process on DATABASE_URL): create-token
// prints the token alone on its last line and stores only its hash; create-user and
// list-nodes work against the same database.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { hashSecret, verifyPassword } from "../src/lib/secrets";
import { createApiTestDatabase } from "./helpers";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../src/cli/admin.ts", import.meta.url));

let testDb: TTestDatabase;
beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

function admin(args: string[], stdin?: string) {
  const child = run("npx", ["tsx", CLI, ...args], {
    env: { ...process.env, DATABASE_URL: testDb.url },
  });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  } else {
    child.child.stdin?.end();
  }
  return child;
}

describe("admin CLI", () => {
  it("creates a token (alone on the last line, stored hashed), a user, and lists nodes", async () => {
    const created = await admin(["create-token", "--uses", "3", "--ttl", "2h", "--name", "edge-1"]);
    const token = created.stdout.trimEnd().split("\n").at(-1)!;
    expect(token).toMatch(/^mo_enr_[A-Za-z0-9_-]{40,}$/);
    const row = await testDb.db.enrollmentToken.findUniqueOrThrow({
      where: { tokenHash: hashSecret(token) },
    });
    expect(row).toMatchObject({ usesAllowed: 3, nodeName: "edge-1" });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(7190_000);

    await admin(
      ["create-user", "--email", "Viewer@Example.com", "--role", "viewer", "--password-stdin"],
      "a long enough password\n",
    );
    const user = await testDb.db.user.findUniqueOrThrow({ where: { email: "viewer@example.com" } });
    expect(user.role).toBe("viewer");
    expect(await verifyPassword(user.passwordHash, "a long enough password")).toBe(true);

    const listed = await admin(["list-nodes"]);
    expect(listed.stdout).toContain("no nodes");
    await expect(admin(["create-token", "--ttl", "forever"])).rejects.toMatchObject({
      stderr: expect.stringContaining("not a duration") as unknown,
    });
  }, 90_000);
});
