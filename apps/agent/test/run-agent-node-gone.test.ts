import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCError } from "@trpc/server";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgent } from "../src/commands/run-agent";
import { StateStore } from "../src/state/state-store";
import { serveAgentProtocol } from "./agent-protocol-router";
import { FakeHost } from "./fake-host";
import { makeTestConfig } from "./test-config";

const NODE_ID = "00000000-0000-4000-8000-000000000001";
const REVOKED = "mo_node_revoked-credential";
const ROTATED = "mo_node_rotated-credential";

// Names another node, so the agent rejects it without touching the host: enough to show the
// stream delivers again after the credential was replaced.
const OTHER_NODE_CONFIG = makeTestConfig([], { version: 9, index: 9 });

interface TLogLine {
  level: number;
  msg: string;
}

let dir: string;
let store: StateStore;
let closeServer: (() => void) | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-gone-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
  store.writeKeys({
    privateKey: Buffer.alloc(32, 1).toString("base64"),
    publicKey: Buffer.alloc(32, 2).toString("base64"),
    rotationId: null,
  });
});
afterEach(() => {
  closeServer?.();
  closeServer = null;
  rmSync(dir, { recursive: true, force: true });
});

/** A controller that refuses the revoked credential with `code` and streams for the rotated one. */
async function startController(code: "UNAUTHORIZED" | "NOT_FOUND") {
  const attempts: (string | null)[] = [];
  const served = await serveAgentProtocol({
    enroll: () => Promise.reject(new Error("not used")),
    whoami: () => Promise.reject(new Error("not used")),
    async *configs(authorization, signal) {
      attempts.push(authorization);
      if (authorization !== `Bearer ${ROTATED}`) {
        throw new TRPCError({ code, message: "this node was removed" });
      }
      yield OTHER_NODE_CONFIG;
      await new Promise((resolve) => signal?.addEventListener("abort", resolve));
    },
    report: () => Promise.reject(new Error("not used")),
  });
  closeServer = served.close;
  return { url: served.url, attempts };
}

/** Start runAgent against `controller` on a fake host; logs are collected as parsed lines. */
function startAgent(controller: string, nodeGoneRetryMs?: number) {
  store.writeIdentity({
    nodeId: NODE_ID,
    name: "node1",
    controller,
    credential: REVOKED,
    isHttpAllowed: true,
    pinSha256: null,
    endpoints: ["2001:db8::1"],
  });
  const fake = new FakeHost({
    hasKernelWireguard: true,
    hasDummy: false,
    keys: {},
    socketDir: join(dir, "wireguard"),
  });
  const logs: TLogLine[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => logs.push(JSON.parse(line) as TLogLine) },
  );
  let stop = () => {};
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  const running = runAgent({
    store,
    runner: fake,
    logger,
    frrMode: "none",
    frrPathspace: null,
    resyncSec: 3600,
    isCleanupOnExit: false,
    stopSignal,
    nodeGoneRetryMs,
    // The shortest backoff (0.5 s): the test waits on events, the delays only cost time.
    random: () => 0,
  });
  const errors = () => logs.filter((line) => line.level >= 50).map((line) => line.msg);
  return {
    fake,
    logs,
    errors,
    stop: async () => {
      stop();
      await running;
    },
  };
}

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("runAgent when the controller no longer accepts the node", () => {
  it("after two refusals logs one clear error and keeps the host", async () => {
    const controller = await startController("UNAUTHORIZED");
    const agent = startAgent(controller.url);
    try {
      await waitFor(() => agent.errors().length > 0);
      // The first refusal is retried normally (it may be a race between controller replicas);
      // that the retry after the second waits the slow delay is timed exactly, on fake timers,
      // in config-subscription.test.ts.
      expect(controller.attempts).toHaveLength(2);
      expect(agent.errors()).toEqual(["node removed or credential revoked: this node was removed"]);
      expect(
        agent.logs.filter((line) => line.msg === "controller stream down, reconnecting"),
      ).toHaveLength(1);
    } finally {
      await agent.stop();
    }
    // No teardown: not a single command reached the host.
    expect(agent.fake.takeMutations()).toBe("");
    expect(agent.fake.unexpected).toEqual([]);
    expect(store.readIdentity()?.nodeId).toBe(NODE_ID);
  });

  it("keeps retrying slowly with one error (NOT_FOUND), and recovers after set-credential", async () => {
    const controller = await startController("NOT_FOUND");
    const agent = startAgent(controller.url, 150);
    try {
      await waitFor(() => controller.attempts.length >= 3);
      expect(agent.errors()).toEqual(["node removed or credential revoked: this node was removed"]);
      const identity = store.readIdentity()!;
      store.writeIdentity({ ...identity, credential: ROTATED });
      await waitFor(() =>
        agent.logs.some((line) => line.msg === "controller accepts this node again"),
      );
      expect(controller.attempts.at(-1)).toBe(`Bearer ${ROTATED}`);
      expect(agent.errors()).toEqual([
        "node removed or credential revoked: this node was removed",
        "config rejected: nothing applied",
      ]);
    } finally {
      await agent.stop();
    }
    expect(agent.fake.takeMutations()).toBe("");
  });
});
