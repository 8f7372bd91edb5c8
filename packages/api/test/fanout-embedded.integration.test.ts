// The embedded PGlite socket: whether or not it delivers NOTIFY, the fan-out must notice
// changes committed by another connection (another process, e.g. the admin CLI).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type TPrismaClient } from "@meshover/prisma";
import { startEmbeddedDatabase, type TEmbeddedDatabase } from "@meshover/prisma/embedded";
import { applyMigrations } from "@meshover/prisma/migrate";
import { MeshFanout } from "../src/lib/mesh-fanout";
import { bumpMeshVersion } from "../src/services/mesh/commit-mesh-change";
import { ensureSettings } from "../src/services/settings/ensure-settings";

let dataDir: string;
let embedded: TEmbeddedDatabase;
let controllerDb: TPrismaClient;
let otherDb: TPrismaClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "meshover-fanout-"));
  embedded = await startEmbeddedDatabase({ dataDir });
  await applyMigrations({ url: embedded.url });
  controllerDb = createPrismaClient({ url: embedded.url, maxConnections: 2 });
  otherDb = createPrismaClient({ url: embedded.url, maxConnections: 1 });
  await ensureSettings({ db: controllerDb });
}, 120_000);
afterAll(async () => {
  await controllerDb?.$disconnect();
  await otherDb?.$disconnect();
  await embedded?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("fan-out on the embedded database", () => {
  it("finds out NOTIFY never arrives, polls, and sees another connection's change", async () => {
    const fanout = new MeshFanout(controllerDb);
    await fanout.start({ url: embedded.url, pollMs: { listening: 200, fallback: 200 } });
    try {
      // The PGlite socket never delivers NOTIFY: the self-test must find that out and poll.
      expect(fanout.mode).toBe("poll");
      const before = fanout.latestVersion;
      const version = await otherDb.$transaction((tx) => bumpMeshVersion(tx));
      const started = Date.now();
      await fanout.waitForVersionAfter(before, AbortSignal.timeout(3000));
      expect(fanout.latestVersion).toBe(version);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await fanout.stop();
    }
  });
});
