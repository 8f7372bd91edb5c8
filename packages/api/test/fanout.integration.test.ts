// Two controller instances on one database, each with its own Prisma pool, its own LISTEN
// connection and its own HTTP server: a change made through either reaches agents connected
// to the other within a second, by NOTIFY (the safety-net poll is set far beyond the test).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyConfigUpdate, type TDesiredNodeConfig } from "@meshover/netcfg";
import { createPrismaClient, type TPrismaClient } from "@meshover/prisma";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { serveApi, type TApiServer } from "../src/http/serve-api";
import { getMeshFanout } from "../src/lib/mesh-fanout";
import { callAs, createApiTestDatabase, signInAs, waitUntil } from "./helpers";
import { createHttpClient, makeEnrollRequest } from "./http-client";

interface TController {
  db: TPrismaClient;
  api: TApiServer;
}

let testDb: TTestDatabase;
const controllers: TController[] = [];

beforeAll(async () => {
  testDb = await createApiTestDatabase();
  for (let i = 0; i < 2; i++) {
    const db = createPrismaClient({ url: testDb.url });
    await getMeshFanout(db).start({
      url: testDb.url,
      pollMs: { listening: 600_000, fallback: 600_000 },
    });
    controllers.push({ db, api: await serveApi({ db }) });
  }
});
afterAll(async () => {
  for (const controller of controllers) {
    await controller.api.close();
    await getMeshFanout(controller.db).stop();
    await controller.db.$disconnect();
  }
  await testDb?.drop();
});

function collect(baseUrl: string, credential: string) {
  const received: TDesiredNodeConfig[] = [];
  const subscription = createHttpClient(baseUrl, {
    authorization: `Bearer ${credential}`,
  }).agent.config.subscribe(undefined, {
    onData: (event) => received.push(applyConfigUpdate(received.at(-1) ?? null, event.data)),
  });
  return { received, subscription };
}

describe("fan-out across two controller processes", () => {
  it("both LISTEN, and a change through either reaches agents on the other within a second", async () => {
    const [one, two] = controllers as [TController, TController];
    expect(getMeshFanout(one.db).mode).toBe("listen");
    expect(getMeshFanout(two.db).mode).toBe("listen");

    const admin = await signInAs(one.db, { email: "admin@example.com", role: "admin" });
    const { token } = await admin.token.create({ usesAllowed: 2 });
    const a = await callAs(one.db).agent.enroll(makeEnrollRequest(token, "a"));
    const b = await callAs(two.db).agent.enroll(makeEnrollRequest(token, "b"));
    const onOne = collect(one.api.url, a.credential);
    const onTwo = collect(two.api.url, b.credential);
    try {
      await waitUntil(
        "both first configs",
        () => onOne.received.length > 0 && onTwo.received.length > 0,
      );

      // Change through controller one; the agent on controller two hears it within a second
      // (the wait's bound is the assertion; polling is set to 10 min here, so only NOTIFY fits).
      await admin.node.setPrefixes({ nodeId: a.nodeId, prefixes: [{ cidr: "192.168.1.0/24" }] });
      await waitUntil(
        "the prefix on controller two",
        () => onTwo.received.at(-1)?.peers[0]?.advertisedPrefixes[0] === "192.168.1.0/24",
        { timeoutMs: 1000 },
      );

      // And the other way round.
      const adminTwo = await signInAs(two.db, { email: "admin@example.com", role: "admin" });
      await adminTwo.node.rename({ nodeId: b.nodeId, name: "bravo" });
      await waitUntil(
        "the rename on one",
        () => onOne.received.at(-1)?.peers[0]?.name === "bravo",
        {
          timeoutMs: 1000,
        },
      );
      await waitUntil("the rename on two", () => onTwo.received.at(-1)?.self.name === "bravo", {
        timeoutMs: 1000,
      });
      expect(onOne.received.at(-1)!.version).toBe(onTwo.received.at(-1)!.version);
    } finally {
      onOne.subscription.unsubscribe();
      onTwo.subscription.unsubscribe();
    }
  });
});
