// The route table's "policy matched" column against a real Postgres: candidates ingested as the
// agent reports them, judged again under the node's stored policy for the range that admits
// each announced prefix, refused ones with their rule.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TRouteCandidate } from "@meshover/netcfg";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { ingestRouteCandidates } from "../src/services/routing/ingest-route-candidates";
import { createToken } from "../src/services/token/create-token";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest } from "./http-client";

let testDb: TTestDatabase;

beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

function candidate(prefix: string, patch: Partial<TRouteCandidate> = {}): TRouteCandidate {
  return {
    prefix,
    source: "connected",
    interface: "virbr0",
    protocol: null,
    speaker: null,
    verdict: "announced",
    refusal: null,
    detail: null,
    ...patch,
  };
}

describe("routes.list: the policy that matched", () => {
  it("names the admitting range, the refusing rule, and why node addresses are there", async () => {
    const admin = await signInAs(testDb.db, { email: "admin@example.test", role: "admin" });
    const { token } = await createToken({
      db: testDb.db,
      actor: { id: null, email: "test" },
      ttlSec: 600,
      usesAllowed: 2,
    });
    const anonymous = callAs(testDb.db);
    const n1 = await anonymous.agent.enroll(makeEnrollRequest(token, "n1"));
    const n2 = await anonymous.agent.enroll(makeEnrollRequest(token, "n2"));
    await admin.routing.update({
      nodeId: n1.nodeId,
      mayOriginate: true,
      exitNode: false,
      maxPrefixes: 100,
      allowedRanges: [
        { prefix: "10.60.0.0/16", maxLength: 24, anycast: false, description: null },
        { prefix: "10.60.4.0/22", maxLength: 28, anycast: true, description: null },
      ],
      sources: null,
    });
    await ingestRouteCandidates({
      db: testDb.db,
      nodeId: n1.nodeId,
      candidates: [
        candidate("10.60.1.0/24"),
        candidate("10.60.5.16/28", { source: "kernel", interface: null, protocol: "static" }),
        candidate("10.60.2.0/25", {
          verdict: "refused",
          refusal: "longer-than-allowed",
          detail: "longer than /24 allowed in 10.60.0.0/16",
        }),
      ],
      now: new Date(),
    });
    const rows = await admin.routes.list();
    const row = (cidr: string) => rows.find((r) => r.cidr === cidr)!;
    expect(row("10.60.1.0/24")).toMatchObject({ source: "discovered", isAnycast: false });
    expect(row("10.60.1.0/24").policy).toEqual([
      {
        nodeId: n1.nodeId,
        name: "n1",
        verdict: "announced",
        rule: "connected: allowed range 10.60.0.0/16 up to /24",
      },
    ]);
    // The /28 is only admitted by the narrower range (max length 28), which is anycast.
    expect(row("10.60.5.16/28").policy[0]?.rule).toBe(
      "kernel: allowed range 10.60.4.0/22 up to /28 · anycast",
    );
    expect(row("10.60.5.16/28").isAnycast).toBe(true);
    expect(row("10.60.2.0/25")).toMatchObject({ source: "discovered", state: "refused" });
    expect(row("10.60.2.0/25").policy[0]).toMatchObject({
      verdict: "refused",
      rule: "connected: refused, longer than allowed (longer than /24 allowed in 10.60.0.0/16)",
    });
    const address = rows.find(
      (r) => r.source === "node address" && r.origins[0]?.nodeId === n2.nodeId,
    )!;
    expect(address.policy).toEqual([
      {
        nodeId: n2.nodeId,
        name: "n2",
        verdict: "announced",
        rule: "node address: always announced",
      },
    ]);
  });
});
