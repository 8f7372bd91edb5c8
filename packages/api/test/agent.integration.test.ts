import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  applyConfigUpdate,
  BFD_TIMERS,
  BFD_TIMERS_SOFTWARE_EMULATED,
  type TDesiredNodeConfig,
  type TNodeConfigUpdate,
} from "@meshover/netcfg";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { serveApi, type TApiServer } from "../src/http/serve-api";
import { loadNodeConfigs } from "../src/services/mesh/load-node-configs";
import { createToken } from "../src/services/token/create-token";
import { callAs, createApiTestDatabase, waitUntil } from "./helpers";
import { createHttpClient, generateWireguardPublicKey, makeEnrollRequest } from "./http-client";

let testDb: TTestDatabase;
let api: TApiServer;
const actor = { id: null, email: "test" };

beforeAll(async () => {
  testDb = await createApiTestDatabase();
  api = await serveApi({ db: testDb.db });
});
afterAll(async () => {
  await api?.close();
  await testDb?.drop();
});
beforeEach(async () => {
  await testDb.db.node.deleteMany();
  await testDb.db.enrollmentToken.deleteMany();
});

function makeReport(publicKey: string, peers: { peerId: string; peerPublicKey?: string }[] = []) {
  return {
    agentVersion: "0.1.0-test",
    hostInfo: makeEnrollRequest("x".repeat(16), "h").hostInfo,
    endpoints: ["2001:db8::1"],
    publicKey,
    rotationId: null,
    appliedVersion: 3,
    applyError: null,
    peers: peers.map((peer) => ({
      peerId: peer.peerId,
      interface: "mo1",
      peerPublicKey: peer.peerPublicKey ?? null,
      handshakeAt: new Date().toISOString(),
      rxBytes: 100,
      txBytes: 200,
      bgpState: "Established",
      bgpUptimeSec: 10,
      bfdState: "Up",
      prefixesReceived: 2,
      mtuConfigured: 1420,
      mtuMeasured: 1420,
      rttMs: 1.5,
    })),
  };
}

describe("agent protocol", () => {
  it("enrolls with a token and gets a credential; the token is single-use", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600 });
    const anonymous = callAs(testDb.db);
    const enrolled = await anonymous.agent.enroll(makeEnrollRequest(token, "alpha"));
    expect(enrolled.name).toBe("alpha");
    // Its first config comes with it: the mesh version the enrollment committed.
    const { meshVersion } = await testDb.db.setting.findUniqueOrThrow({ where: { id: 1 } });
    expect(enrolled.config?.self.id).toBe(enrolled.nodeId);
    expect(enrolled.config?.version).toBe(Number(meshVersion));
    const node = await testDb.db.node.findUniqueOrThrow({ where: { id: enrolled.nodeId } });
    expect(node).toMatchObject({ index: 1, asn: 4200000000n, ipv4: "10.128.0.1" });
    await expect(anonymous.agent.enroll(makeEnrollRequest(token, "beta"))).rejects.toThrow(
      /used up/,
    );
    const agent = callAs(testDb.db, { authorization: `Bearer ${enrolled.credential}` });
    expect(await agent.agent.whoami()).toEqual({ nodeId: enrolled.nodeId, name: "alpha" });
  });

  it("gives a node on a software-emulated machine gentler BFD timers, the others the mesh's", async () => {
    const anonymous = callAs(testDb.db);
    const enroll = async (name: string, virtualization: string) => {
      const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600 });
      const request = makeEnrollRequest(token, name);
      return anonymous.agent.enroll({
        ...request,
        hostInfo: { ...request.hostInfo, virtualization },
      });
    };
    const emulated = await enroll("tcg", "qemu");
    const hardware = await enroll("kvm", "kvm");
    const mesh = await loadNodeConfigs({ db: testDb.db });
    expect(mesh.configOf(emulated.nodeId)?.settings.bfd).toEqual(BFD_TIMERS_SOFTWARE_EMULATED);
    expect(mesh.configOf(hardware.nodeId)?.settings.bfd).toEqual(BFD_TIMERS);
  });

  it("a report from a machine that became software-emulated changes its BFD timers (a mesh change)", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600 });
    const request = makeEnrollRequest(token, "moved");
    const enrolled = await callAs(testDb.db).agent.enroll({
      ...request,
      hostInfo: { ...request.hostInfo, virtualization: "kvm" },
    });
    const agent = callAs(testDb.db, { authorization: `Bearer ${enrolled.credential}` });
    const report = { ...makeReport(request.publicKey), endpoints: request.endpoints };
    const same = await agent.agent.report({
      ...report,
      hostInfo: { ...report.hostInfo, virtualization: "kvm" },
    });
    expect(same.meshVersion).toBeNull();
    const moved = await agent.agent.report({
      ...report,
      hostInfo: { ...report.hostInfo, virtualization: "qemu" },
    });
    expect(moved.meshVersion).not.toBeNull();
    const mesh = await loadNodeConfigs({ db: testDb.db });
    expect(mesh.configOf(enrolled.nodeId)?.settings.bfd).toEqual(BFD_TIMERS_SOFTWARE_EMULATED);
  });

  it("refuses expired and revoked tokens, unknown fields and bad credentials", async () => {
    const expired = await createToken({ db: testDb.db, actor, ttlSec: 1, now: new Date(0) });
    const anonymous = callAs(testDb.db);
    await expect(anonymous.agent.enroll(makeEnrollRequest(expired.token, "a"))).rejects.toThrow(
      /expired/,
    );
    const revoked = await createToken({ db: testDb.db, actor, ttlSec: 600 });
    await testDb.db.enrollmentToken.update({
      where: { id: revoked.id },
      data: { revokedAt: new Date() },
    });
    await expect(anonymous.agent.enroll(makeEnrollRequest(revoked.token, "a"))).rejects.toThrow(
      /revoked/,
    );
    const valid = await createToken({ db: testDb.db, actor, ttlSec: 600 });
    await expect(
      anonymous.agent.enroll({ ...makeEnrollRequest(valid.token, "a"), extra: 1 } as never),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await testDb.db.node.count()).toBe(0);
    await expect(
      callAs(testDb.db, { authorization: "Bearer mo_node_nope" }).agent.whoami(),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(callAs(testDb.db).agent.whoami()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("gives 20 simultaneous enrollments 20 distinct indexes, ASNs and addresses", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 20 });
    const anonymous = callAs(testDb.db);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        anonymous.agent.enroll(makeEnrollRequest(token, `n${i}`)),
      ),
    );
    expect(new Set(results.map((r) => r.nodeId)).size).toBe(20);
    const nodes = await testDb.db.node.findMany();
    expect(nodes).toHaveLength(20);
    for (const key of ["index", "asn", "ipv4", "ipv6"] as const) {
      expect(new Set(nodes.map((n) => String(n[key]))).size).toBe(20);
    }
    // Lowest free: exactly 1..20, not scattered.
    expect(nodes.map((n) => n.index).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const token20 = await testDb.db.enrollmentToken.findFirstOrThrow();
    expect(token20.usesCount).toBe(20);
  });

  it("commits enrollments that arrive together as one mesh change; a refused one fails alone", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 12 });
    const anonymous = callAs(testDb.db);
    const meshVersion = async () =>
      (await testDb.db.setting.findUniqueOrThrow({ where: { id: 1 } })).meshVersion;
    const revoked = await createToken({ db: testDb.db, actor, ttlSec: 600 });
    await testDb.db.enrollmentToken.update({
      where: { id: revoked.id },
      data: { revokedAt: new Date() },
    });
    const first = makeEnrollRequest(token, "first");
    await anonymous.agent.enroll(first);
    const before = await meshVersion();
    const requests = [
      ...Array.from({ length: 10 }, (_, i) => makeEnrollRequest(token, `n${i}`)),
      { ...makeEnrollRequest(token, "same-key"), publicKey: first.publicKey },
      makeEnrollRequest(revoked.token, "stranger"),
    ];
    const results = await Promise.allSettled(requests.map((r) => anonymous.agent.enroll(r)));
    expect(results.slice(0, 10).map((result) => result.status)).toEqual(
      Array.from({ length: 10 }, () => "fulfilled"),
    );
    expect(results[10]).toMatchObject({ status: "rejected", reason: { code: "CONFLICT" } });
    expect(results[11]).toMatchObject({ status: "rejected", reason: { code: "UNAUTHORIZED" } });
    // 10 nodes in at most 3 mesh versions (one per batch), not 10: one compile, one push each.
    expect(Number((await meshVersion()) - before)).toBeLessThanOrEqual(3);
    const nodes = await testDb.db.node.findMany({ orderBy: { index: "asc" } });
    expect(nodes.map((node) => node.index)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    // The refused ones used nothing: 11 uses of 12, the key kept by its first node only.
    const used = await testDb.db.enrollmentToken.findMany({ orderBy: { usesCount: "desc" } });
    expect(used.map((t) => t.usesCount)).toEqual([11, 0]);
  });

  it("waits for a burst of enrollments to end and commits it as one mesh change", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 6 });
    const anonymous = callAs(testDb.db);
    const meshVersion = async () =>
      (await testDb.db.setting.findUniqueOrThrow({ where: { id: 1 } })).meshVersion;
    const before = await meshVersion();
    // Agents started together reach the controller a few tens of ms apart, not at once.
    const joins: Promise<unknown>[] = [];
    for (let i = 0; i < 6; i++) {
      joins.push(anonymous.agent.enroll(makeEnrollRequest(token, `burst${i}`)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(joins);
    expect(Number((await meshVersion()) - before)).toBe(1);
  });

  it("streams the config over SSE on connect and on every change, and stores reports", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 2 });
    const anonymous = createHttpClient(api.url);
    const a = await anonymous.agent.enroll.mutate(makeEnrollRequest(token, "a"));
    const agentA = createHttpClient(api.url, { authorization: `Bearer ${a.credential}` });
    const received: TDesiredNodeConfig[] = [];
    const events: TNodeConfigUpdate[] = [];
    const subscription = agentA.agent.config.subscribe(undefined, {
      onData: (event) => {
        events.push(event.data);
        received.push(applyConfigUpdate(received.at(-1) ?? null, event.data));
      },
    });
    const waitFor = (check: () => boolean) => waitUntil("a config", check);
    try {
      await waitFor(() => received.length >= 1);
      expect(received[0]!.self.name).toBe("a");
      expect(received[0]!.peers).toEqual([]);
      const b = await anonymous.agent.enroll.mutate(makeEnrollRequest(token, "b"));
      await waitFor(() => received.some((config) => config.peers.length === 1));
      const latest = received.at(-1)!;
      expect(latest.peers[0]!.id).toBe(b.nodeId);
      expect(latest.version).toBeGreaterThan(received[0]!.version);
      // The first event is the full config; later ones are deltas carrying only what changed.
      expect("kind" in events[0]!).toBe(false);
      const delta = events.at(-1)!;
      expect("kind" in delta && delta.upsertPeers.map((peer) => peer.id)).toEqual([b.nodeId]);

      const keyA = (await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } })).publicKey!;
      const report = makeReport(keyA, [
        { peerId: b.nodeId },
        { peerId: "00000000-0000-4000-8000-000000000000" }, // unknown peer: skipped
      ]);
      const result = await agentA.agent.report.mutate(report);
      expect(result.meshVersion).toBeNull();
      const samples = await testDb.db.healthSample.findMany({ where: { nodeId: a.nodeId } });
      expect(samples).toHaveLength(1);
      expect(samples[0]).toMatchObject({
        peerId: b.nodeId,
        rttMs: 1.5,
        rxBytes: 100n,
      });
      expect(samples[0]!.metrics).toMatchObject({ bgpState: "Established", mtuMeasured: 1420 });
      expect(samples[0]!.handshakeAt?.toISOString()).toBe(report.peers[0]!.handshakeAt);
      expect(Math.abs(samples[0]!.at.getTime() - Date.now())).toBeLessThan(60_000);
      const node = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
      expect(node.appliedConfigVersion).toBe(3n);

      // A new endpoint changes the peers' view: a mesh change.
      const agentB = createHttpClient(api.url, { authorization: `Bearer ${b.credential}` });
      const keyB = generateWireguardPublicKey();
      const moved = await agentB.agent.report.mutate({
        ...makeReport(keyB),
        endpoints: ["2001:db8::99"],
      });
      expect(moved.meshVersion).not.toBeNull();
      await waitFor(() => received.at(-1)!.peers[0]?.endpoints[0] === "2001:db8::99");
      expect(received.at(-1)!.peers[0]!.publicKey).toBe(keyB);
    } finally {
      subscription.unsubscribe();
    }
  });

  it("binds reports and streams to the credential's own node", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 2 });
    const anonymous = callAs(testDb.db);
    const a = await anonymous.agent.enroll(makeEnrollRequest(token, "a"));
    const b = await anonymous.agent.enroll(makeEnrollRequest(token, "b"));
    const before = await testDb.db.node.findUniqueOrThrow({ where: { id: b.nodeId } });
    // A's credential reporting B's key: stored on A (and refused: the key belongs to B).
    const agentA = callAs(testDb.db, { authorization: `Bearer ${a.credential}` });
    await expect(agentA.agent.report(makeReport(before.publicKey!))).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await testDb.db.node.findUniqueOrThrow({ where: { id: b.nodeId } })).toEqual(before);
    expect((await agentA.agent.whoami()).nodeId).toBe(a.nodeId);
  });

  it("rejects an oversized report body over HTTP with a clear error and stores nothing", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600 });
    const a = await callAs(testDb.db).agent.enroll(makeEnrollRequest(token, "big"));
    const agent = createHttpClient(api.url, { authorization: `Bearer ${a.credential}` });
    const key = (await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } })).publicKey!;
    const report = { ...makeReport(key), applyError: "x".repeat(600 * 1024) };
    await expect(agent.agent.report.mutate(report)).rejects.toMatchObject({
      data: { code: "PAYLOAD_TOO_LARGE" },
    });
    const node = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
    expect(node.applyError).toBeNull();
  });
});
