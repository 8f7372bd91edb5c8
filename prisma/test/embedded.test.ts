import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../src/index";
import { readEmbeddedLock, startEmbeddedDatabase } from "../src/embedded";
import { applyMigrations } from "../src/migrate";

const dataDir = mkdtempSync(join(tmpdir(), "meshover-pglite-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("the embedded database", () => {
  it("migrates, serves Prisma over its socket, and keeps the data across restarts", async () => {
    const first = await startEmbeddedDatabase({ dataDir });
    expect(readEmbeddedLock(dataDir)).toEqual({ pid: process.pid, url: first.url });
    await applyMigrations({ url: first.url });
    const db = createPrismaClient({ url: first.url, maxConnections: 4 });
    await db.setting.create({ data: { ipv6Pool: "fd11:2233:4455::/48" } });
    // Concurrent transactions over the multiplexed socket stay serialisable.
    await Promise.all(
      [1, 2, 3, 4].map(() =>
        db.$transaction(async (tx) => {
          const row = await tx.setting.findUniqueOrThrow({ where: { id: 1 } });
          await tx.setting.update({
            where: { id: 1 },
            data: { meshVersion: row.meshVersion + 1n },
          });
        }),
      ),
    );
    await db.$disconnect();
    await first.stop();
    expect(readEmbeddedLock(dataDir)).toBeNull();

    const second = await startEmbeddedDatabase({ dataDir });
    await applyMigrations({ url: second.url }); // a second start finds nothing to apply
    const again = createPrismaClient({ url: second.url });
    const row = await again.setting.findUniqueOrThrow({ where: { id: 1 } });
    expect(row.ipv6Pool).toBe("fd11:2233:4455::/48");
    expect(row.meshVersion).toBe(5n);
    await again.$disconnect();
    await second.stop();
  }, 60_000);
});
