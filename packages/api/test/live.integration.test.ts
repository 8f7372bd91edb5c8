// The dashboard's live views and timeline through the real routers and database: a report
// reaches a topology.watch subscriber as a patch with the reporter's directions, node.watch
// carries both directions of a tunnel, and consecutive reports become timeline events.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import type { TNodeLive } from "../src/services/node/watch-node";
import { createToken } from "../src/services/token/create-token";
import type { TTopologyUpdate } from "../src/services/topology/watch-topology";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest, makeHealthReport, type THealthReportInput } from "./http-client";

let testDb: TTestDatabase;
const actor = { id: null, email: "test" };

beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});
beforeEach(async () => {
  await testDb.db.node.deleteMany();
  await testDb.db.meshEvent.deleteMany();
});

/** The next event of a subscription (fails when the stream ended instead). */
async function nextEvent<T>(stream: AsyncIterator<T>): Promise<T> {
  const result = await stream.next();
  if (result.done === true) throw new Error("the stream ended");
  return result.value;
}

async function enrollPair() {
  const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 2 });
  const anonymous = callAs(testDb.db);
  const a = await anonymous.agent.enroll(makeEnrollRequest(token, "a"));
  const b = await anonymous.agent.enroll(makeEnrollRequest(token, "b"));
  const node = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
  const agent = callAs(testDb.db, { authorization: `Bearer ${a.credential}` });
  const report = (peer: Partial<THealthReportInput["peers"][number]> = {}) =>
    makeHealthReport(
      [b.nodeId],
      { endpoints: node.endpoints, publicKey: node.publicKey! },
      {
        interface: "mo2",
        handshakeAt: new Date().toISOString(),
        rxBytes: 100,
        txBytes: 200,
        rttMs: 1.5,
        bgpUptimeSec: null,
        bfdState: "up",
        prefixesReceived: 2,
        ...peer,
      },
    );
  return { a, b, agent, report };
}

describe("live views", () => {
  it("pushes a report to a topology subscriber as a patch of the reporter's directions", async () => {
    const { a, b, agent, report } = await enrollPair();
    const admin = await signInAs(testDb.db, { email: "live@example.com", role: "admin" });
    // A server-side caller passes no signal: return() ends the stream (and its listener).
    const iterable: AsyncIterable<TTopologyUpdate> = await admin.topology.watch();
    const stream = iterable[Symbol.asyncIterator]();
    try {
      const first = await nextEvent(stream);
      expect(first.kind).toBe("full");
      await agent.agent.report(report({ bgpState: "Active" }));
      const next = await nextEvent(stream);
      if (next.kind !== "reports") throw new Error(`expected a patch, got ${next.kind}`);
      expect(next.nodes.map((n) => n.id)).toEqual([a.nodeId]);
      expect(next.directions.map((d) => [d.nodeId, d.peerId, d.direction.bgpState])).toEqual([
        [a.nodeId, b.nodeId, "Active"],
      ]);
    } finally {
      await stream.return?.();
    }
  });

  it("gives the node page both directions of its tunnels", async () => {
    const { a, b, agent, report } = await enrollPair();
    await agent.agent.report(report());
    const admin = await signInAs(testDb.db, { email: "live2@example.com", role: "admin" });
    const iterable: AsyncIterable<TNodeLive> = await admin.node.watch({ nodeId: b.nodeId });
    const stream = iterable[Symbol.asyncIterator]();
    try {
      const value = await nextEvent(stream);
      expect(value.node.id).toBe(b.nodeId);
      expect(value.sessions.map((x) => [x.peerId, x.peerName, x.mine, x.theirs?.bgpState])).toEqual(
        [[a.nodeId, "a", null, "Established"]],
      );
    } finally {
      await stream.return?.();
    }
  });
});

describe("timeline", () => {
  it("records BGP and BFD going down between two reports, with names", async () => {
    const { a, agent, report } = await enrollPair();
    const admin = await signInAs(testDb.db, { email: "events@example.com", role: "viewer" });
    await agent.agent.report(report());
    await agent.agent.report(report({ bgpState: "Active", bfdState: "down" }));
    const events = await admin.events.list({ nodeId: a.nodeId, minutes: 5 });
    const kinds = events.map((e) => [e.kind, e.nodeName, e.peerName, e.detail]);
    expect(kinds).toContainEqual(["bgp_down", "a", "b", "Established → Active"]);
    expect(kinds).toContainEqual(["bfd_down", "a", "b", "up → down"]);
    // Joining is on the timeline too (from the audit log).
    expect(events.map((e) => e.kind)).toContain("node_joined");
  });
});
