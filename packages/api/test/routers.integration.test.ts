import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest } from "./http-client";

let testDb: TTestDatabase;
let admin: Awaited<ReturnType<typeof signInAs>>;
let viewer: Awaited<ReturnType<typeof signInAs>>;

beforeAll(async () => {
  testDb = await createApiTestDatabase();
  admin = await signInAs(testDb.db, { email: "admin@example.com", role: "admin" });
  viewer = await signInAs(testDb.db, { email: "viewer@example.com", role: "viewer" });
});
afterAll(async () => {
  await testDb?.drop();
});
beforeEach(async () => {
  await testDb.db.node.deleteMany();
  await testDb.db.enrollmentToken.deleteMany();
});

async function enroll(names: string[]) {
  const { token } = await admin.token.create({ usesAllowed: names.length });
  const anonymous = callAs(testDb.db);
  const out = [];
  for (const name of names) out.push(await anonymous.agent.enroll(makeEnrollRequest(token, name)));
  return out;
}

// The parts of an agent report these tests do not look at.
function makeReportBase() {
  return {
    agentVersion: "t",
    hostInfo: makeEnrollRequest("x".repeat(16), "h").hostInfo,
    endpoints: ["2001:db8::1"],
    rotationId: null,
    appliedVersion: null,
    applyError: null,
  };
}

/** A node's public key as stored. */
async function keyOf(id: string) {
  return (await testDb.db.node.findUniqueOrThrow({ where: { id } })).publicKey!;
}

/** The agent API as the node with `credential` calls it. */
function agentOf(node: { credential: string }) {
  return callAs(testDb.db, { authorization: `Bearer ${node.credential}` }).agent;
}

/** Enroll `names`, rotate the first one's key and answer with its next key (as its agent). */
async function startAnsweredRotation(names: string[]) {
  const nodes = await enroll(names);
  const { rotations } = await admin.key.rotate({ nodeId: nodes[0]!.nodeId });
  const rotationId = rotations[0]!.id;
  const { generateWireguardPublicKey } = await import("./http-client");
  const nextKey = generateWireguardPublicKey();
  await agentOf(nodes[0]!).reportRotation({
    nextKey: { publicKey: nextKey, rotationId },
    rotationTunnels: [],
  });
  return { nodes, rotationId, nextKey };
}

/** What `peer` reports of its rotation tunnel to `rotating`: a handshake with `nextKey`. */
async function peerProof(peer: { nodeId: string }, rotating: { nodeId: string }, nextKey: string) {
  return {
    nextKey: null,
    rotationTunnels: [
      {
        peerId: rotating.nodeId,
        interface: "mo1r",
        publicKey: await keyOf(peer.nodeId),
        peerPublicKey: nextKey,
        handshakeAt: new Date(Date.now() + 1000).toISOString(),
      },
    ],
  };
}

/** Hold the mesh lock in a transaction of its own until `release` (which awaits its end). */
async function holdMeshLock() {
  const { lockMesh } = await import("../src/services/agent/ingest-report");
  let letGo = () => {};
  const held = new Promise<void>((resolve) => (letGo = resolve));
  let isLocked = false;
  const holder = testDb.db.$transaction(
    async (tx) => {
      await lockMesh(tx);
      isLocked = true;
      await held;
    },
    { timeout: 20_000 },
  );
  await vi.waitFor(() => expect(isLocked).toBe(true));
  return {
    release: async () => {
      letGo();
      await holder;
    },
  };
}

async function meshVersion() {
  return (await testDb.db.setting.findUniqueOrThrow({ where: { id: 1 } })).meshVersion;
}

describe("token router", () => {
  it("creates (shown once, hash stored), lists and revokes, with audit events", async () => {
    const created = await admin.token.create({ ttlSec: 600, usesAllowed: 2, nodeName: "edge-1" });
    expect(created.token).toMatch(/^mo_enr_/);
    const list = await viewer.token.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: created.id, status: "active", usesAllowed: 2 });
    expect(JSON.stringify(list)).not.toContain(created.token);
    await admin.token.revoke({ tokenId: created.id });
    expect((await admin.token.list())[0]!.status).toBe("revoked");
    const audit = await admin.audit.list({ action: "token." });
    expect(audit.items.map((e) => e.action)).toEqual(["token.revoke", "token.create"]);
    expect(audit.items[0]!.actorEmail).toBe("admin@example.com");
  });

  it("is admin-only for changes and sign-in-only for reads", async () => {
    await expect(viewer.token.create({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callAs(testDb.db).token.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await testDb.db.enrollmentToken.count()).toBe(0);
  });
});

describe("node router", () => {
  it("lists, gets, renames and removes nodes, bumping the mesh version", async () => {
    const [a, b] = await enroll(["a", "b"]);
    const nodes = await viewer.node.list();
    expect(nodes.map((n) => [n.name, n.index, n.isOnline])).toEqual([
      ["a", 1, true],
      ["b", 2, true],
    ]);
    const detail = await viewer.node.get({ nodeId: a!.nodeId });
    expect(detail.credentials).toHaveLength(1);
    expect(JSON.stringify(detail)).not.toContain(a!.credential);
    const before = await meshVersion();
    await admin.node.rename({ nodeId: a!.nodeId, name: "alpha" });
    expect(await meshVersion()).toBe(before + 1n);
    await expect(admin.node.rename({ nodeId: b!.nodeId, name: "alpha" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(admin.node.rename({ nodeId: b!.nodeId, name: "Bad Name" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(viewer.node.remove({ nodeId: b!.nodeId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await admin.node.remove({ nodeId: b!.nodeId });
    expect((await admin.node.list()).map((n) => n.name)).toEqual(["alpha"]);
    // Its credential went with it.
    await expect(
      callAs(testDb.db, { authorization: `Bearer ${b!.credential}` }).agent.whoami(),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("shows a node not seen for staleAfterSec as offline, and keeps it", async () => {
    const [a] = await enroll(["a"]);
    await testDb.db.node.update({
      where: { id: a!.nodeId },
      data: { lastSeenAt: new Date(Date.now() - 3600_000) },
    });
    const nodes = await admin.node.list();
    expect(nodes).toHaveLength(1);
    expect(nodes[0]!.isOnline).toBe(false);
  });

  it("sets prefixes with netcfg validation; bad ones change nothing", async () => {
    const [a, b] = await enroll(["a", "b"]);
    const set = await admin.node.setPrefixes({
      nodeId: a!.nodeId,
      prefixes: [{ cidr: "192.168.10.0/24" }, { cidr: "2001:db8:10::/48", description: "pods" }],
    });
    expect(set.map((p) => p.cidr)).toEqual(["192.168.10.0/24", "2001:db8:10::/48"]);
    const version = await meshVersion();
    const bad = [
      [{ cidr: "192.168.300.0/24" }, "BAD_REQUEST"],
      [{ cidr: "192.168.20.1/24" }, "BAD_REQUEST"],
      [{ cidr: "0.0.0.0/0" }, "BAD_REQUEST"],
      [{ cidr: "10.128.5.0/24" }, "CONFLICT"],
      [{ cidr: "192.168.10.128/25" }, "CONFLICT"],
    ] as const;
    for (const [prefix, code] of bad) {
      await expect(
        admin.node.setPrefixes({ nodeId: b!.nodeId, prefixes: [prefix] }),
      ).rejects.toMatchObject({ code });
    }
    await expect(
      admin.node.setPrefixes({
        nodeId: b!.nodeId,
        prefixes: [{ cidr: "192.168.10.0/24", extra: true } as never],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await testDb.db.advertisedPrefix.count({ where: { nodeId: b!.nodeId } })).toBe(0);
    expect(await meshVersion()).toBe(version);
    // Anycast may overlap another node on purpose; the default route only when allowed.
    await admin.node.setPrefixes({
      nodeId: b!.nodeId,
      prefixes: [{ cidr: "192.168.10.0/24", isAnycast: true }, { cidr: "::/0" }],
      isDefaultRouteAllowed: true,
    });
    expect(await testDb.db.advertisedPrefix.count({ where: { nodeId: b!.nodeId } })).toBe(2);
  });
});

describe("topology, settings, audit", () => {
  it("returns nodes and edges with both directions' latest sample", async () => {
    const [a, b] = await enroll(["a", "b"]);
    await testDb.db.healthSample.createMany({
      data: [
        { nodeId: a!.nodeId, peerId: b!.nodeId, at: new Date(1000), rttMs: 9 },
        {
          nodeId: a!.nodeId,
          peerId: b!.nodeId,
          at: new Date(2000),
          rttMs: 2,
          metrics: { bgpState: "Established" },
        },
        { nodeId: b!.nodeId, peerId: a!.nodeId, at: new Date(1500), rttMs: 3 },
      ],
    });
    const topology = await viewer.topology.get();
    expect(topology.nodes).toHaveLength(2);
    expect(topology.edges).toHaveLength(1);
    const edge = topology.edges[0]!;
    expect(edge.source).toBe(a!.nodeId);
    expect(edge.sourceToTarget).toMatchObject({ rttMs: 2, bgpState: "Established" });
    expect(edge.targetToSource).toMatchObject({ rttMs: 3 });
    // The dashboard judges staleness by the settings, which come with the graph.
    expect(topology.staleAfterSec).toBe(
      (await testDb.db.setting.findUniqueOrThrow({ where: { id: 1 } })).staleAfterSec,
    );
  });

  it("updates settings and refuses changes that orphan allocations", async () => {
    await enroll(["a"]);
    const updated = await admin.settings.update({ healthIntervalSec: 7, metricsToken: "generate" });
    expect(updated.settings.healthIntervalSec).toBe(7);
    expect(updated.settings.hasMetricsToken).toBe(true);
    expect(updated.metricsToken).toMatch(/^mo_met_/);
    const before = await admin.settings.get();
    await expect(admin.settings.update({ ipv4Pool: "10.200.0.0/16" })).rejects.toThrow(
      /would be orphaned/,
    );
    await expect(admin.settings.update({ ipv4Pool: "10.128.0.0/33" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(admin.settings.update({ asnMin: 4200000005 })).rejects.toThrow(/ASN/);
    await expect(viewer.settings.update({ healthIntervalSec: 9 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await admin.settings.get()).toEqual(before);
    // Widening the pool keeps every allocation inside: allowed.
    await admin.settings.update({ ipv4Pool: "10.128.0.0/15" });
  });

  it("paginates the audit log", async () => {
    for (let i = 0; i < 5; i++) await admin.token.create({});
    const first = await viewer.audit.list({ limit: 2, action: "token.create" });
    expect(first.items).toHaveLength(2);
    const second = await viewer.audit.list({
      limit: 2,
      action: "token.create",
      cursor: first.nextCursor,
    });
    expect(second.items).toHaveLength(2);
    expect(Number(second.items[0]!.id)).toBeLessThan(Number(first.items[1]!.id));
  });
});

describe("key router", () => {
  it("rotates a key: pending in config, reported by the node, done when every peer handshakes", async () => {
    const [a, b, c] = await enroll(["a", "b", "c"]);
    const { rotations } = await admin.key.rotate({ nodeId: a!.nodeId });
    expect(rotations).toHaveLength(1);
    const rotationId = rotations[0]!.id;
    let view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view.status).toBe("pending");
    // The node's next config asks for the rotation; nobody else's does.
    const { loadNodeConfigs } = await import("../src/services/mesh/load-node-configs");
    const mesh = await loadNodeConfigs({ db: testDb.db });
    expect(mesh.configOf(a!.nodeId)?.rotation).toEqual({ id: rotationId });
    expect(mesh.configOf(b!.nodeId)?.rotation).toBeNull();

    const { generateWireguardPublicKey } = await import("./http-client");
    const newKey = generateWireguardPublicKey();
    const agentA = callAs(testDb.db, { authorization: `Bearer ${a!.credential}` });
    const base = makeReportBase();
    await agentA.agent.report({ ...base, publicKey: newKey, rotationId, peers: [] });
    view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view.status).toBe("reported");
    expect(view.newPublicKey).toBe(newKey);
    expect(view.peers.map((p) => p.state)).toEqual(["waiting", "waiting"]);

    const peerReport = (credential: string, publicKey: string) =>
      callAs(testDb.db, { authorization: `Bearer ${credential}` }).agent.report({
        ...base,
        publicKey,
        peers: [
          {
            peerId: a!.nodeId,
            interface: "mo1",
            peerPublicKey: newKey,
            handshakeAt: new Date(Date.now() + 1000).toISOString(),
            rxBytes: 1,
            txBytes: 1,
            bgpState: null,
            bgpUptimeSec: null,
            bfdState: null,
            prefixesReceived: null,
            mtuConfigured: null,
            mtuMeasured: null,
            rttMs: null,
          },
        ],
      });
    await peerReport(b!.credential, await keyOf(b!.nodeId));
    view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view.status).toBe("reported");
    expect(view.progress).toBe(0.5);
    await peerReport(c!.credential, await keyOf(c!.nodeId));
    view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view.status).toBe("done");
    expect(view.progress).toBe(1);
  });

  it("rotates make-before-break: next key to peers, promoted when every pair handshook over it, one rotation at a time", async () => {
    const [a, b, c] = await enroll(["a", "b", "c"]);
    const { loadNodeConfigs } = await import("../src/services/mesh/load-node-configs");
    const configsNow = async () => (await loadNodeConfigs({ db: testDb.db })).configs;
    const oldKey = await keyOf(a!.nodeId);
    const { rotations } = await admin.key.rotateAll();
    const rotationA = rotations.find((r) => r.nodeId === a!.nodeId)!.id;
    // Rotations queue: only the oldest one is in a config.
    let configs = await configsNow();
    expect(configs.get(a!.nodeId)?.rotation).toEqual({ id: rotationA });
    expect(configs.get(b!.nodeId)?.rotation).toBeNull();
    expect(configs.get(c!.nodeId)?.rotation).toBeNull();

    const { generateWireguardPublicKey } = await import("./http-client");
    const nextKey = generateWireguardPublicKey();
    const base = { ...makeReportBase(), peers: [] };
    const report = async (
      node: { nodeId: string; credential: string },
      extra: Record<string, unknown>,
    ) =>
      agentOf(node).report({
        ...base,
        publicKey: await keyOf(node.nodeId),
        ...extra,
      });
    // The node reports its next key and keeps its current one: a mesh change that gives every
    // peer the next key beside the current one, and the node keeps its rotation.
    const before = await meshVersion();
    await report(a!, { nextKey: { publicKey: nextKey, rotationId: rotationA } });
    expect(await meshVersion()).toBeGreaterThan(before);
    expect(await keyOf(a!.nodeId)).toBe(oldKey);
    configs = await configsNow();
    expect(configs.get(a!.nodeId)?.rotation).toEqual({ id: rotationA });
    const peerA = configs.get(b!.nodeId)?.peers.find((p) => p.id === a!.nodeId);
    expect(peerA).toMatchObject({ publicKey: oldKey, nextPublicKey: nextKey });
    expect(peerA?.keySlot).toBeUndefined();

    const soon = new Date(Date.now() + 1000).toISOString();
    const tunnel = (peerId: string, publicKey: string, peerPublicKey: string) => ({
      peerId,
      interface: "mo1r",
      publicKey,
      peerPublicKey,
      handshakeAt: soon,
    });
    // A handshake under the old key proves nothing; b's rotation tunnel with the next key does.
    await report(b!, { rotationTunnels: [tunnel(a!.nodeId, await keyOf(b!.nodeId), oldKey)] });
    let view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view.progress).toBe(0);
    // b's rotation tunnel with the next key proves the pair, and is stored without the mesh
    // lock (only the last pair, which finishes the rotation, takes it): it goes through while
    // another transaction holds the lock, and so does the same report again (every report
    // during a rotation carries it).
    const meshLock = await holdMeshLock();
    const proven = { rotationTunnels: [tunnel(a!.nodeId, await keyOf(b!.nodeId), nextKey)] };
    const within3s = (reported: Promise<unknown>) =>
      Promise.race([
        reported,
        new Promise((resolve) => setTimeout(() => resolve("waited for the mesh lock"), 3_000)),
      ]);
    const first = await within3s(report(b!, proven));
    const again = await within3s(report(b!, proven));
    await meshLock.release();
    expect([first, again]).not.toContain("waited for the mesh lock");
    view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view).toMatchObject({ status: "reported", progress: 0.5 });
    // The rotating node's own tunnel to c (its next key on it) completes the last pair.
    const beforeDone = await meshVersion();
    await report(a!, {
      nextKey: { publicKey: nextKey, rotationId: rotationA },
      rotationTunnels: [tunnel(c!.nodeId, nextKey, await keyOf(c!.nodeId))],
    });
    view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view).toMatchObject({ status: "done", progress: 1, newPublicKey: nextKey });
    // Promoted: the key is the node's, its keySlot flipped, and the queue moves on to b.
    expect(await meshVersion()).toBeGreaterThan(beforeDone);
    expect(await keyOf(a!.nodeId)).toBe(nextKey);
    // A report the node sent before it saw the promotion (still its old key) changes nothing.
    const promotedAt = await meshVersion();
    await report(a!, { publicKey: oldKey, nextKey: { publicKey: nextKey, rotationId: rotationA } });
    expect(await keyOf(a!.nodeId)).toBe(nextKey);
    expect(await meshVersion()).toBe(promotedAt);
    configs = await configsNow();
    expect(configs.get(a!.nodeId)).toMatchObject({ rotation: null, self: { keySlot: 1 } });
    expect(configs.get(c!.nodeId)?.peers.find((p) => p.id === a!.nodeId)).toMatchObject({
      publicKey: nextKey,
      keySlot: 1,
    });
    expect(
      configs.get(c!.nodeId)?.peers.find((p) => p.id === a!.nodeId)?.nextPublicKey,
    ).toBeUndefined();
    expect(configs.get(b!.nodeId)?.rotation).toEqual({
      id: rotations.find((r) => r.nodeId === b!.nodeId)!.id,
    });
  });

  it("takes a rotation's progress alone (agent.reportRotation): a version only for the next key and the promotion", async () => {
    const [a, b] = await enroll(["a", "b"]);
    const oldKey = await keyOf(a!.nodeId);
    const { rotations } = await admin.key.rotate({ nodeId: a!.nodeId });
    const rotationId = rotations[0]!.id;
    const { generateWireguardPublicKey } = await import("./http-client");
    const nextKey = generateWireguardPublicKey();
    const tunnel = (peerId: string, publicKey: string, peerPublicKey: string) => ({
      peerId,
      interface: "mo1r",
      publicKey,
      peerPublicKey,
      handshakeAt: new Date(Date.now() + 1000).toISOString(),
    });
    // Nothing to say: no change.
    let before = await meshVersion();
    expect(await agentOf(a!).reportRotation({ nextKey: null, rotationTunnels: [] })).toEqual({
      meshVersion: null,
    });
    // The next key answers the rotation: the peers' configs change (one version).
    const answered = await agentOf(a!).reportRotation({
      nextKey: { publicKey: nextKey, rotationId },
      rotationTunnels: [],
    });
    expect(answered.meshVersion).toBe(Number(before) + 1);
    expect(await keyOf(a!.nodeId)).toBe(oldKey);
    // Again (a retry): nothing new, no version.
    before = await meshVersion();
    await agentOf(a!).reportRotation({
      nextKey: { publicKey: nextKey, rotationId },
      rotationTunnels: [],
    });
    expect(await meshVersion()).toBe(before);
    // A handshake on the old key is no evidence; b's rotation tunnel on the next key is, and it
    // was the only pair: done, promoted, one version.
    const bKey = await keyOf(b!.nodeId);
    await agentOf(b!).reportRotation({
      nextKey: null,
      rotationTunnels: [tunnel(a!.nodeId, bKey, oldKey)],
    });
    expect(await meshVersion()).toBe(before);
    expect((await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!.status).toBe("reported");
    const done = await agentOf(b!).reportRotation({
      nextKey: null,
      rotationTunnels: [tunnel(a!.nodeId, bKey, nextKey)],
    });
    expect(done.meshVersion).toBe(Number(before) + 1);
    expect((await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]).toMatchObject({
      status: "done",
      newPublicKey: nextKey,
    });
    expect(await keyOf(a!.nodeId)).toBe(nextKey);
  });

  it("finishes a rotation whose pairs were all marked but whose finish failed, on the next proof", async () => {
    const {
      nodes: [a, b],
      rotationId,
      nextKey,
    } = await startAnsweredRotation(["a", "b"]);
    // The pair's mark was stored (it needs no lock) but the locked finish never ran.
    await testDb.db.keyRotation.update({
      where: { id: rotationId },
      data: { peerProgress: { [b!.nodeId]: "done" } },
    });
    expect((await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!.status).toBe("reported");
    // The same proof again (nothing new to mark) finishes it.
    const done = await agentOf(b!).reportRotation(await peerProof(b!, a!, nextKey));
    expect(done.meshVersion).not.toBeNull();
    expect((await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!.status).toBe("done");
    expect(await keyOf(a!.nodeId)).toBe(nextKey);
  });

  it("a rotating node's own report proves every pair at once, and concurrent proofs of one rotation all count", async () => {
    const {
      nodes: [a, b, c, d],
      rotationId,
      nextKey,
    } = await startAnsweredRotation(["a", "b", "c", "d"]);
    const nextKeyReport = { nextKey: { publicKey: nextKey, rotationId } };
    const handshakeAt = new Date(Date.now() + 1000).toISOString();
    const ownTunnel = async (peer: typeof b) => ({
      peerId: peer!.nodeId,
      interface: "mo1r",
      publicKey: nextKey,
      peerPublicKey: await keyOf(peer!.nodeId),
      handshakeAt,
    });
    // a proves b and c in one report while b and c prove themselves at the same moment.
    await Promise.all([
      agentOf(a!).reportRotation({
        ...nextKeyReport,
        rotationTunnels: [await ownTunnel(b), await ownTunnel(c)],
      }),
      agentOf(b!).reportRotation(await peerProof(b!, a!, nextKey)),
      agentOf(c!).reportRotation(await peerProof(c!, a!, nextKey)),
    ]);
    let view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view).toMatchObject({ status: "reported" });
    const donePeers = view.peers.filter((peer) => peer.state === "done");
    expect(donePeers.map((peer) => peer.peerId).sort()).toEqual([b!.nodeId, c!.nodeId].sort());
    // d's own proof (concurrently with a's, which names d too) finishes it.
    await Promise.all([
      agentOf(d!).reportRotation(await peerProof(d!, a!, nextKey)),
      agentOf(a!).reportRotation({ ...nextKeyReport, rotationTunnels: [await ownTunnel(d)] }),
    ]);
    view = (await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!;
    expect(view).toMatchObject({ status: "done", progress: 1 });
    expect(await keyOf(a!.nodeId)).toBe(nextKey);
  });

  it("finishes a rotation in one statement that waits for the mesh lock before it touches the rotation row", async () => {
    const {
      nodes: [a, b],
      rotationId,
      nextKey,
    } = await startAnsweredRotation(["a", "b"]);
    const meshLock = await holdMeshLock();
    // b's proof completes the only pair: its mark goes through, its finish waits for the lock.
    const done = agentOf(b!).reportRotation(await peerProof(b!, a!, nextKey));
    await vi.waitFor(
      async () => {
        const waiting = await testDb.db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%locked AS%'`;
        expect(waiting[0]!.n).toBe(1);
      },
      { timeout: 5_000, interval: 50 },
    );
    // Waiting, it holds no lock on the rotation row (no lock order a mesh change could cross).
    const rowLock = await testDb.db.$transaction(
      async (tx) =>
        tx.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM "KeyRotation" WHERE id = ${rotationId}::uuid FOR UPDATE NOWAIT`,
    );
    expect(rowLock).toHaveLength(1);
    await meshLock.release();
    expect((await done).meshVersion).not.toBeNull();
    expect((await viewer.key.listRotations({ nodeId: a!.nodeId }))[0]!.status).toBe("done");
    expect(await keyOf(a!.nodeId)).toBe(nextKey);
  });

  it("compiles the rotation queue from stored state only: a stuck rotation blocks it until expireRotations fails it", async () => {
    const [a, b] = await enroll(["a", "b"]);
    const { loadNodeConfigs } = await import("../src/services/mesh/load-node-configs");
    const { expireRotations } = await import("../src/services/key/expire-rotations");
    const { rotations } = await admin.key.rotateAll();
    const idOf = (nodeId: string) => rotations.find((r) => r.nodeId === nodeId)!.id;
    // Requested long ago: the clock says it timed out, but the compile does not read the clock.
    await testDb.db.keyRotation.updateMany({
      data: { requestedAt: new Date(Date.now() - 11 * 60 * 1000) },
    });
    let configs = (await loadNodeConfigs({ db: testDb.db })).configs;
    expect(configs.get(a!.nodeId)?.rotation).toEqual({ id: idOf(a!.nodeId) });
    // Nothing due yet at a `now` within the timeout: no change, no version.
    const before = await meshVersion();
    expect(
      await expireRotations({ db: testDb.db, now: new Date(Date.now() - 2 * 60 * 1000) }),
    ).toBe(0);
    expect(await meshVersion()).toBe(before);
    // The timer fails both (both past the timeout) as one mesh change; the queue is empty.
    expect(await expireRotations({ db: testDb.db })).toBe(2);
    expect(await meshVersion()).toBe(before + 1n);
    configs = (await loadNodeConfigs({ db: testDb.db })).configs;
    expect(configs.get(a!.nodeId)?.rotation).toBeNull();
    expect(configs.get(b!.nodeId)?.rotation).toBeNull();
    const [view] = await viewer.key.listRotations({ nodeId: a!.nodeId });
    expect(view).toMatchObject({ status: "failed", error: "not finished within 10 minutes" });
  });

  it("rotates all keys and an agent credential (old one revoked)", async () => {
    const [a] = await enroll(["a", "b"]);
    expect((await admin.key.rotateAll()).rotations).toHaveLength(2);
    const rotated = await admin.key.rotateCredential({ nodeId: a!.nodeId });
    expect(rotated.revokedCount).toBe(1);
    await expect(
      callAs(testDb.db, { authorization: `Bearer ${a!.credential}` }).agent.whoami(),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(
      await callAs(testDb.db, { authorization: `Bearer ${rotated.credential}` }).agent.whoami(),
    ).toMatchObject({ nodeId: a!.nodeId });
  });
});
