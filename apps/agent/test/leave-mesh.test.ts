import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCError } from "@trpc/server";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { leaveMesh } from "../src/commands/leave-mesh";
import { reconcileHost } from "../src/reconcile/reconcile-host";
import { StateStore } from "../src/state/state-store";
import { serveAgentProtocol } from "./agent-protocol-router";
import { createFakeHostDriver, FakeHost } from "./fake-host";
import { makeTestConfig, makeTestKey, makeTestPeer } from "./test-config";

const PRIVATE = makeTestKey(1000);
const PUBLIC = makeTestKey(2000);
const NODE_ID = "00000000-0000-4000-8000-000000000001";
const CREDENTIAL = "mo_node_leave-test-credential";

const CONFIG = makeTestConfig([makeTestPeer(2)]);

const logger = pino({ level: "silent" });
let dir: string;
let store: StateStore;
let closeServer: (() => void) | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-leave-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
  store.writeKeys({ privateKey: PRIVATE, publicKey: PUBLIC, rotationId: null });
});
afterEach(() => {
  closeServer?.();
  closeServer = null;
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in controller whose agent.leave answers with `leave`; records the credentials seen. */
async function startController(leave: () => Promise<{ id: string; name: string }>) {
  const seen: (string | null)[] = [];
  const served = await serveAgentProtocol({
    enroll: () => Promise.reject(new Error("not used")),
    whoami: () => Promise.reject(new Error("not used")),
    configs: () => {
      throw new Error("not used");
    },
    report: () => Promise.reject(new Error("not used")),
    leave: (authorization) => {
      seen.push(authorization);
      return leave();
    },
  });
  closeServer = served.close;
  return { url: served.url, seen };
}

/** A fake host with one tunnel built by the real reconciler, and an identity for `controller`. */
async function setUpJoinedHost(controller: string) {
  store.writeIdentity({
    nodeId: NODE_ID,
    name: "node1",
    controller,
    credential: CREDENTIAL,
    isHttpAllowed: true,
    pinSha256: null,
    endpoints: ["2001:db8::1"],
  });
  const fake = new FakeHost({
    hasKernelWireguard: true,
    hasDummy: false,
    keys: { [PRIVATE]: PUBLIC },
    socketDir: join(dir, "wireguard"),
  });
  const host = createFakeHostDriver(fake, { store, logger });
  const frr = null;
  const outcome = await reconcileHost({ config: CONFIG, host, frr, store, logger });
  expect(outcome.error).toBeNull();
  expect(fake.dump()).toContain("mo2 wireguard up");
  const leave = () =>
    leaveMesh({ store, runner: fake, logger, frr, host, controllerTimeoutMs: 3000 });
  return { fake, leave };
}

describe("leaveMesh", () => {
  it("tears down locally, tells the controller with the node credential, then forgets", async () => {
    const controller = await startController(() => Promise.resolve({ id: NODE_ID, name: "node1" }));
    const { fake, leave } = await setUpJoinedHost(controller.url);
    const outcome = await leave();
    expect(outcome).toEqual({ errors: [], controller: { status: "removed" } });
    expect(controller.seen).toEqual([`Bearer ${CREDENTIAL}`]);
    expect(fake.dump()).not.toContain("mo2");
    expect(fake.unexpected).toEqual([]);
    expect(store.readIdentity()).toBeNull();
    expect(store.readKeys()).toBeNull();
  });

  it("still cleans up and forgets when the controller is unreachable, and says so", async () => {
    // A port that was just free: nothing listens there.
    const controller = await startController(() => Promise.reject(new Error("not reached")));
    closeServer?.();
    closeServer = null;
    const { fake, leave } = await setUpJoinedHost(controller.url);
    const outcome = await leave();
    expect(outcome.errors).toEqual([]);
    expect(outcome.controller.status).toBe("failed");
    expect(fake.dump()).not.toContain("mo2");
    expect(store.readIdentity()).toBeNull();
  });

  it("reports a node the controller had already removed as already gone", async () => {
    const controller = await startController(() =>
      Promise.reject(
        new TRPCError({
          code: "UNAUTHORIZED",
          message: "missing, unknown or revoked node credential",
        }),
      ),
    );
    const { leave } = await setUpJoinedHost(controller.url);
    const outcome = await leave();
    expect(outcome.controller).toEqual({
      status: "already-gone",
      error: "missing, unknown or revoked node credential",
    });
    expect(store.readIdentity()).toBeNull();
  });

  it("does not tell the controller and keeps the state when the local teardown fails", async () => {
    const controller = await startController(() => Promise.resolve({ id: NODE_ID, name: "node1" }));
    const { fake, leave } = await setUpJoinedHost(controller.url);
    fake.failNext = "ip link del";
    const outcome = await leave();
    expect(outcome.errors).not.toEqual([]);
    expect(outcome.controller).toEqual({ status: "skipped" });
    expect(controller.seen).toEqual([]);
    expect(store.readIdentity()).not.toBeNull();
  });
});
