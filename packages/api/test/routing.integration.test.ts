// Route policy (issue #14, controller side) against a real Postgres: the policy API with its
// inline-friendly refusals, candidate ingest (first seen, flaps, gone), conflict detection and
// withholding, resolutions, and the mesh version bumps each of them causes (or must not).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TRouteCandidate } from "@meshover/netcfg";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { loadNodeConfigs } from "../src/services/mesh/load-node-configs";
import { ingestRouteCandidates } from "../src/services/routing/ingest-route-candidates";
import { createToken } from "../src/services/token/create-token";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest, makeHealthReport } from "./http-client";

let testDb: TTestDatabase;
let admin: Awaited<ReturnType<typeof signInAs>>;
let viewer: Awaited<ReturnType<typeof signInAs>>;
let nodes: { nodeId: string; credential: string }[] = [];
const actor = { id: null, email: "test" };

const SOURCES = {
  interfaces: ["kube-lb0", "virbr*"],
  excludeInterfaces: [],
  kernelProtocols: ["static"],
  ciliumPodCidr: true,
  speakers: [],
};
const POLICY = {
  mayOriginate: true,
  exitNode: false,
  maxPrefixes: 100,
  allowedRanges: [
    { prefix: "10.60.0.0/16", maxLength: 24, anycast: false, description: "VM subnets" },
    { prefix: "198.51.100.0/24", maxLength: 32, anycast: true, description: null },
    { prefix: "192.168.122.0/24", maxLength: 24, anycast: true, description: null },
  ],
  sources: SOURCES,
};

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

async function meshVersion() {
  const row = await testDb.db.setting.findUniqueOrThrow({ where: { id: 1 } });
  return row.meshVersion;
}

beforeAll(async () => {
  testDb = await createApiTestDatabase();
  admin = await signInAs(testDb.db, { email: "admin@example.test", role: "admin" });
  viewer = await signInAs(testDb.db, { email: "viewer@example.test", role: "viewer" });
});
afterAll(async () => {
  await testDb?.drop();
});
beforeEach(async () => {
  await testDb.db.node.deleteMany();
  await testDb.db.routeConflict.deleteMany();
  await testDb.db.routeConflictResolution.deleteMany();
  const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 3 });
  const anonymous = callAs(testDb.db);
  nodes = [];
  for (const name of ["n1", "n2", "n3"]) {
    nodes.push(
      await anonymous.agent.enroll({
        ...makeEnrollRequest(token, name),
        endpoints: [`2001:db8::${nodes.length + 1}`],
      }),
    );
  }
});

describe("routing.get / routing.update", () => {
  it("starts from the defaults and stores a whole policy, audited, as a mesh change", async () => {
    const nodeId = nodes[0]!.nodeId;
    const initial = await viewer.routing.get({ nodeId });
    expect(initial).toMatchObject({
      mayOriginate: false,
      exitNode: false,
      maxPrefixes: 1000,
      allowedRanges: [],
      sources: null,
    });
    const before = await meshVersion();
    const saved = await admin.routing.update({ nodeId, ...POLICY });
    expect(saved.allowedRanges.map((range) => range.prefix)).toEqual([
      "10.60.0.0/16",
      "192.168.122.0/24",
      "198.51.100.0/24",
    ]);
    expect(saved.sources).toEqual(SOURCES);
    expect(saved.effectiveSources).toEqual(SOURCES);
    expect(await meshVersion()).toBe(before + 1n);
    expect(await viewer.routing.get({ nodeId })).toEqual(saved);
    const audit = await testDb.db.auditEvent.findFirstOrThrow({
      where: { action: "node.set_routing" },
    });
    expect(audit).toMatchObject({ targetId: nodeId, actorEmail: "admin@example.test" });

    // Back to the mesh default: the node follows the Settings page.
    await admin.routing.setDefaultSources({ ...SOURCES, interfaces: ["vmbr*"] });
    const following = await admin.routing.update({ nodeId, ...POLICY, sources: null });
    expect(following.sources).toBeNull();
    expect(following.effectiveSources.interfaces).toEqual(["vmbr*"]);
  });

  it.each([
    [
      {
        allowedRanges: [
          { prefix: "10.128.7.0/24", maxLength: 32, anycast: false, description: null },
        ],
      },
      ["allowedRanges", 0, "prefix"],
      /mesh pool/,
    ],
    [
      {
        allowedRanges: [
          { prefix: "2001:db8::/48", maxLength: 64, anycast: false, description: null },
        ],
      },
      ["allowedRanges", 0, "prefix"],
      /underlay address 2001:db8::1/,
    ],
    [
      {
        allowedRanges: [
          { prefix: "10.60.0.0/16", maxLength: 12, anycast: false, description: null },
        ],
      },
      ["allowedRanges", 0, "maxLength"],
      /at least the prefix length/,
    ],
    [
      { allowedRanges: [{ prefix: "0.0.0.0/0", maxLength: 0, anycast: false, description: null }] },
      ["allowedRanges", 0, "prefix"],
      /exit node/,
    ],
    [
      { sources: { ...SOURCES, interfaces: ["kube-lb0", "wg*"] } },
      ["sources", "interfaces", 1],
      /always excluded/,
    ],
    [
      { sources: { ...SOURCES, interfaces: ["bad name!"] } },
      ["sources", "interfaces", 0],
      /interface name or glob/,
    ],
    [
      { sources: { ...SOURCES, kernelProtocols: ["static", "kernel"] } },
      ["sources", "kernelProtocols", 1],
      /invisible to FRR's zebra/,
    ],
  ])("refuses %j at its field and changes nothing", async (patch, path, message) => {
    const nodeId = nodes[0]!.nodeId;
    await admin.routing.update({ nodeId, ...POLICY });
    const before = await meshVersion();
    const stored = await admin.routing.get({ nodeId });
    const error = await admin.routing
      .update({ nodeId, ...POLICY, ...patch })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BAD_REQUEST", cause: { path } });
    expect((error as Error).message).toMatch(message);
    expect(await admin.routing.get({ nodeId })).toEqual(stored);
    expect(await meshVersion()).toBe(before);
  });

  it("is for admins only", async () => {
    await expect(
      viewer.routing.update({ nodeId: nodes[0]!.nodeId, ...POLICY }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("candidate ingest and conflicts", () => {
  it("keeps first seen, counts flaps, marks vanished candidates", async () => {
    const nodeId = nodes[0]!.nodeId;
    const t0 = new Date("2026-12-06T10:00:00Z");
    await ingestRouteCandidates({
      db: testDb.db,
      nodeId,
      candidates: [
        candidate("10.60.1.0/24"),
        candidate("198.51.100.10/32", { interface: "kube-lb0" }),
      ],
      now: t0,
    });
    const t1 = new Date("2026-12-06T10:01:00Z");
    // Same list again: nothing changes.
    expect(
      (
        await ingestRouteCandidates({
          db: testDb.db,
          nodeId,
          candidates: [
            candidate("10.60.1.0/24"),
            candidate("198.51.100.10/32", { interface: "kube-lb0" }),
          ],
          now: t1,
        })
      ).changed,
    ).toBe(0);
    // The VIP moves away, the subnet gets refused.
    const refusedSubnet = candidate("10.60.1.0/24", {
      verdict: "refused",
      refusal: "prefix-cap",
      detail: "over the cap of 0",
    });
    const t2 = new Date("2026-12-06T10:02:00Z");
    await ingestRouteCandidates({
      db: testDb.db,
      nodeId,
      candidates: [refusedSubnet],
      now: t2,
    });
    // The VIP comes back.
    const t3 = new Date("2026-12-06T10:03:00Z");
    await ingestRouteCandidates({
      db: testDb.db,
      nodeId,
      candidates: [refusedSubnet, candidate("198.51.100.10/32", { interface: "kube-lb0" })],
      now: t3,
    });
    const rows = await viewer.routing.candidates({ nodeId });
    const vip = rows.find((row) => row.prefix === "198.51.100.10/32")!;
    const subnet = rows.find((row) => row.prefix === "10.60.1.0/24")!;
    expect(vip).toMatchObject({ isPresent: true, firstSeenAt: t0, lastChangeAt: t3, flapCount: 2 });
    expect(subnet).toMatchObject({
      verdict: "refused",
      refusal: "prefix-cap",
      firstSeenAt: t0,
      lastChangeAt: t2,
      flapCount: 1,
    });
    await ingestRouteCandidates({ db: testDb.db, nodeId, candidates: [], now: t3 });
    expect((await viewer.routing.candidates({ nodeId })).every((row) => !row.isPresent)).toBe(true);
  });

  it("withholds a unicast prefix seen on two nodes, bumping the mesh version only when the conflict set changes", async () => {
    const [n1, n2, n3] = nodes.map((node) => node.nodeId) as [string, string, string];
    for (const nodeId of [n1, n2, n3]) await admin.routing.update({ nodeId, ...POLICY });
    const v0 = await meshVersion();
    // One node: no conflict, no bump.
    expect(
      (
        await ingestRouteCandidates({
          db: testDb.db,
          nodeId: n1,
          candidates: [candidate("10.60.1.0/24")],
        })
      ).meshVersion,
    ).toBeNull();
    expect(await meshVersion()).toBe(v0);
    // The same prefix on a second node: conflict, bump, event.
    const opened = await ingestRouteCandidates({
      db: testDb.db,
      nodeId: n2,
      candidates: [candidate("10.60.1.0/24"), candidate("10.60.2.0/24")],
    });
    expect(opened.meshVersion).toBe(v0 + 1n);
    const conflicts = await viewer.routing.conflicts({});
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      prefix: "10.60.1.0/24",
      resolution: null,
      nodes: [
        { id: n1, name: "n1" },
        { id: n2, name: "n2" },
      ],
    });
    const event = await testDb.db.meshEvent.findFirstOrThrow({ where: { kind: "route_conflict" } });
    expect(event.detail).toMatch(/10\.60\.1\.0\/24 withheld on n[12], n[12]/);
    const shown = await viewer.routing.candidates({ nodeId: n2 });
    expect(shown.find((row) => row.prefix === "10.60.1.0/24")?.conflict?.prefix).toBe(
      "10.60.1.0/24",
    );
    expect(shown.find((row) => row.prefix === "10.60.2.0/24")?.conflict).toBeNull();
    // Another unrelated candidate on n2: conflict set unchanged, no bump.
    expect(
      (
        await ingestRouteCandidates({
          db: testDb.db,
          nodeId: n2,
          candidates: [
            candidate("10.60.1.0/24"),
            candidate("10.60.2.0/24"),
            candidate("10.60.3.0/24"),
          ],
        })
      ).meshVersion,
    ).toBeNull();
    // A third node joins the conflict: the set changed.
    expect(
      (
        await ingestRouteCandidates({
          db: testDb.db,
          nodeId: n3,
          candidates: [candidate("10.60.1.0/24")],
        })
      ).meshVersion,
    ).not.toBeNull();
    expect((await viewer.routing.conflicts({}))[0]?.nodes).toHaveLength(3);
    // Two leave: over, cleared event.
    await ingestRouteCandidates({ db: testDb.db, nodeId: n3, candidates: [] });
    await ingestRouteCandidates({
      db: testDb.db,
      nodeId: n2,
      candidates: [candidate("10.60.2.0/24")],
    });
    expect(await viewer.routing.conflicts({})).toEqual([]);
    expect(await testDb.db.meshEvent.count({ where: { kind: "route_conflict_cleared" } })).toBe(1);
  });

  it("warns of a prefix nested in another node's (overlap), withholding neither", async () => {
    const [n1, n2, n3] = nodes.map((node) => node.nodeId) as [string, string, string];
    for (const nodeId of [n1, n2, n3]) await admin.routing.update({ nodeId, ...POLICY });
    const v0 = await meshVersion();
    await ingestRouteCandidates({
      db: testDb.db,
      nodeId: n1,
      candidates: [candidate("10.60.1.0/24")],
    });
    await ingestRouteCandidates({
      db: testDb.db,
      nodeId: n2,
      candidates: [
        candidate("10.60.1.128/25"),
        // Refused by the node: not announced, so it shadows nothing.
        candidate("10.60.1.64/26", { verdict: "refused", refusal: "prefix-cap" }),
      ],
    });
    await ingestRouteCandidates({
      db: testDb.db,
      nodeId: n3,
      candidates: [candidate("10.60.2.0/24")],
    });
    // Not a conflict: nothing withheld, no mesh change.
    expect(await viewer.routing.conflicts({})).toEqual([]);
    expect(await meshVersion()).toBe(v0);
    const overlaps = await viewer.routing.overlaps({});
    expect(overlaps.map(({ reason: _reason, ...overlap }) => overlap)).toEqual([
      {
        prefix: "10.60.1.128/25",
        nodes: [{ id: n2, name: "n2" }],
        within: "10.60.1.0/24",
        withinNodes: [{ id: n1, name: "n1" }],
      },
    ]);
    expect(overlaps[0]?.reason).toMatch(/inside 10\.60\.1\.0\/24 on n1: .*n1 too.* to n2/);
    expect(await viewer.routing.overlaps({ nodeId: n3 })).toEqual([]);
    expect(await viewer.routing.overlaps({ nodeId: n1 })).toEqual(overlaps);
    // Both sides see it on their Routes panel, each on its own prefix.
    const onN1 = await viewer.routing.candidates({ nodeId: n1 });
    expect(onN1.find((row) => row.prefix === "10.60.1.0/24")?.overlaps).toEqual(overlaps);
    const onN2 = await viewer.routing.candidates({ nodeId: n2 });
    expect(onN2.find((row) => row.prefix === "10.60.1.128/25")?.overlaps).toEqual(overlaps);
    expect(onN2.find((row) => row.prefix === "10.60.1.64/26")?.overlaps).toEqual([]);
    // The /25 goes away: so does the warning.
    await ingestRouteCandidates({ db: testDb.db, nodeId: n2, candidates: [] });
    expect(await viewer.routing.overlaps({})).toEqual([]);
  });

  it("lets anycast ranges share a prefix, but not a well-known per-host default", async () => {
    const [n1, n2] = nodes.map((node) => node.nodeId) as [string, string];
    for (const nodeId of [n1, n2]) await admin.routing.update({ nodeId, ...POLICY });
    for (const nodeId of [n1, n2]) {
      await ingestRouteCandidates({
        db: testDb.db,
        nodeId,
        candidates: [candidate("198.51.100.10/32"), candidate("192.168.122.0/24")],
      });
    }
    const conflicts = await viewer.routing.conflicts({});
    expect(conflicts.map((conflict) => conflict.prefix)).toEqual(["192.168.122.0/24"]);
    expect(conflicts[0]?.reason).toMatch(/libvirt/);
  });

  it("does not count a prefix the node's policy would refuse anyway, and re-judges on policy change", async () => {
    const [n1, n2] = nodes.map((node) => node.nodeId) as [string, string];
    await admin.routing.update({ nodeId: n1, ...POLICY });
    for (const nodeId of [n1, n2])
      await ingestRouteCandidates({
        db: testDb.db,
        nodeId,
        candidates: [candidate("10.60.1.0/24")],
      });
    expect(await viewer.routing.conflicts({})).toEqual([]);
    await admin.routing.update({ nodeId: n2, ...POLICY });
    expect((await viewer.routing.conflicts({})).map((c) => c.prefix)).toEqual(["10.60.1.0/24"]);
    // Switching n2 off ends it again.
    await admin.routing.update({ nodeId: n2, ...POLICY, mayOriginate: false });
    expect(await viewer.routing.conflicts({})).toEqual([]);
  });

  it("resolves a conflict for one node, anycast or withhold, and reopens it; audited", async () => {
    const [n1, n2, n3] = nodes.map((node) => node.nodeId) as [string, string, string];
    for (const nodeId of [n1, n2]) {
      await admin.routing.update({ nodeId, ...POLICY });
      await ingestRouteCandidates({
        db: testDb.db,
        nodeId,
        candidates: [candidate("10.60.1.0/24")],
      });
    }
    await expect(
      admin.routing.resolveConflict({ prefix: "10.60.1.0/24", kind: "node", nodeId: n3 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      viewer.routing.resolveConflict({ prefix: "10.60.1.0/24", kind: "anycast" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      admin.routing.resolveConflict({ prefix: "10.99.0.0/24", kind: "anycast" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const before = await meshVersion();
    await admin.routing.resolveConflict({ prefix: "10.60.1.0/24", kind: "node", nodeId: n2 });
    expect(await meshVersion()).toBe(before + 1n);
    expect((await viewer.routing.conflicts({}))[0]?.resolution).toMatchObject({
      kind: "node",
      nodeId: n2,
      nodeName: "n2",
    });
    await admin.routing.resolveConflict({ prefix: "10.60.1.0/24", kind: "reopen" });
    expect((await viewer.routing.conflicts({}))[0]?.resolution).toBeNull();
    expect(await testDb.db.auditEvent.count({ where: { action: "routes.resolve_conflict" } })).toBe(
      2,
    );
  });

  it("ends a conflict when one of its nodes is removed", async () => {
    const [n1, n2] = nodes.map((node) => node.nodeId) as [string, string];
    for (const nodeId of [n1, n2]) {
      await admin.routing.update({ nodeId, ...POLICY });
      await ingestRouteCandidates({
        db: testDb.db,
        nodeId,
        candidates: [candidate("10.60.1.0/24")],
      });
    }
    expect(await viewer.routing.conflicts({})).toHaveLength(1);
    await admin.node.remove({ nodeId: n2 });
    expect(await viewer.routing.conflicts({})).toEqual([]);
  });
});

describe("compiled configs", () => {
  it("carry each node's effective routing, withheld conflicts and peers' allowed ranges", async () => {
    const [n1, n2, n3] = nodes.map((node) => node.nodeId) as [string, string, string];
    await admin.routing.setDefaultSources({ ...SOURCES, interfaces: ["vmbr*"] });
    await admin.routing.update({ nodeId: n1, ...POLICY });
    await admin.routing.update({ nodeId: n2, ...POLICY, sources: null });
    await admin.routing.update({ nodeId: n3, ...POLICY, mayOriginate: false });
    for (const nodeId of [n1, n2]) {
      await ingestRouteCandidates({
        db: testDb.db,
        nodeId,
        candidates: [candidate("10.60.1.0/24")],
      });
    }
    let mesh = await loadNodeConfigs({ db: testDb.db });
    const c1 = mesh.configs.get(n1)!;
    expect(c1.routing).toEqual({
      mayOriginate: true,
      exitNode: false,
      maxPrefixes: 100,
      sources: SOURCES,
      allowedRanges: [
        { prefix: "10.60.0.0/16", maxLength: 24, anycast: false },
        { prefix: "192.168.122.0/24", maxLength: 24, anycast: true },
        { prefix: "198.51.100.0/24", maxLength: 32, anycast: true },
      ],
      withheld: ["10.60.1.0/24"],
    });
    expect(mesh.configs.get(n2)!.routing.sources.interfaces).toEqual(["vmbr*"]);
    expect(mesh.configs.get(n3)!.routing.withheld).toEqual([]);
    // Peers admit a node's ranges only while it may originate.
    const peersOf3 = mesh.configs.get(n3)!.peers;
    expect(peersOf3.find((peer) => peer.id === n1)?.allowedRanges).toHaveLength(3);
    expect(c1.peers.find((peer) => peer.id === n3)?.allowedRanges).toEqual([]);

    await admin.routing.resolveConflict({ prefix: "10.60.1.0/24", kind: "node", nodeId: n1 });
    mesh = await loadNodeConfigs({ db: testDb.db });
    expect(mesh.configs.get(n1)!.routing.withheld).toEqual([]);
    expect(mesh.configs.get(n2)!.routing.withheld).toEqual(["10.60.1.0/24"]);
  });
});

describe("agent.report with route candidates", () => {
  it("stores them, leaves them alone when null, and refuses a bad prefix before storing anything", async () => {
    const [n1, n2] = nodes as [
      { nodeId: string; credential: string },
      { nodeId: string; credential: string },
    ];
    const agent = callAs(testDb.db, { authorization: `Bearer ${n1.credential}` });
    const node = await testDb.db.node.findUniqueOrThrow({ where: { id: n1.nodeId } });
    const base = {
      ...makeHealthReport([n2.nodeId]),
      endpoints: node.endpoints,
      publicKey: node.publicKey!,
    };
    await agent.agent.report({ ...base, routeCandidates: [candidate("10.60.1.0/24")] });
    await agent.agent.report({ ...base, routeCandidates: null });
    const rows = await viewer.routing.candidates({ nodeId: n1.nodeId });
    expect(rows.map((row) => [row.prefix, row.isPresent])).toEqual([["10.60.1.0/24", true]]);
    const seenBefore = (await testDb.db.node.findUniqueOrThrow({ where: { id: n1.nodeId } }))
      .lastSeenAt;
    await expect(
      agent.agent.report({
        ...base,
        agentVersion: "9.9.9",
        routeCandidates: [candidate("10.60.1.0/33")],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const after = await testDb.db.node.findUniqueOrThrow({ where: { id: n1.nodeId } });
    expect(after.agentVersion).not.toBe("9.9.9");
    expect(after.lastSeenAt).toEqual(seenBefore);
  });
});

describe("routes.list: the policy that matched", () => {
  it("names the admitting range, the refusing rule, and why node addresses are there", async () => {
    const [n1, n2] = [nodes[0]!, nodes[1]!];
    await admin.routing.update({
      nodeId: n1.nodeId,
      ...POLICY,
      allowedRanges: [
        { prefix: "10.60.0.0/16", maxLength: 24, anycast: false, description: null },
        { prefix: "10.60.4.0/22", maxLength: 28, anycast: true, description: null },
      ],
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
    const rows = await viewer.routes.list();
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
    // The /28 is admitted only by the narrower range (max length 28), which is anycast.
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
