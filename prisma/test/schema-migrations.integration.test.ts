import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireTestServerUrl } from "../src/testing";

const PRISMA_DIR = join(import.meta.dirname, "..");
const CLI = createRequire(import.meta.url).resolve("prisma/build/index.js");

/** Exit code of `prisma migrate diff` from the migrations to `schemaPath` (0 = same, 2 = differ). */
function diffMigrationsAgainst(schemaPath: string) {
  const result = spawnSync(
    process.execPath,
    [
      CLI,
      "migrate",
      "diff",
      "--config",
      join(PRISMA_DIR, "prisma.config.ts"),
      "--from-migrations",
      join(PRISMA_DIR, "migrations"),
      "--to-schema-datamodel",
      schemaPath,
      "--exit-code",
    ],
    {
      cwd: PRISMA_DIR,
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: requireTestServerUrl() },
    },
  );
  return { status: result.status, output: result.stdout + result.stderr };
}

describe("schema.prisma and the migrations", () => {
  it("agree (the migrations build exactly the schema)", () => {
    const { status, output } = diffMigrationsAgainst(join(PRISMA_DIR, "schema.prisma"));
    expect(output).toContain("No difference detected");
    expect(status).toBe(0);
  });

  it("are told apart when the schema gains a field no migration creates", () => {
    const dir = mkdtempSync(join(tmpdir(), "meshover-schema-"));
    try {
      const schema = readFileSync(join(PRISMA_DIR, "schema.prisma"), "utf8").replace(
        "model AuditEvent {",
        "model AuditEvent {\n  extraColumnForTest String?",
      );
      writeFileSync(join(dir, "schema.prisma"), schema);
      const { status } = diffMigrationsAgainst(join(dir, "schema.prisma"));
      expect(status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
