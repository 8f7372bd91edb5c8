import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCClientError } from "@trpc/client";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { THealthReport } from "@meshover/netcfg";
import type { TRunner } from "../src/exec/run-command";
import { HealthReporter, SETTLE_REPORT_MS } from "../src/health/report-health";
import { ReconcileQueue } from "../src/reconcile/reconcile-queue";
import { StateStore } from "../src/state/state-store";
import { createFakeHostDriver, FakeHost } from "./fake-host";
import { makeTestConfig, makeTestKey, makeTestPeer } from "./test-config";

const PRIVATE = makeTestKey(1000);
const PUBLIC = makeTestKey(2000);
const logger = pino({ level: "silent" });

let dir: string;
let store: StateStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-health-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
  store.writeKeys({ privateKey: PRIVATE, publicKey: PUBLIC, rotationId: null });
  store.writeIdentity({
    nodeId: makeTestConfig().self.id,
    name: "node1",
    controller: "http://127.0.0.1:1",
    credential: "mo_node_test",
    isHttpAllowed: true,
    pinSha256: null,
    endpoints: ["2001:db8::1"],
  });
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** A reporter on a built one-peer node; `send` records reports (or fails as told). */
async function setUp(
  options: {
    send?: (report: THealthReport) => Promise<unknown>;
    /** Probes (pings) wait for this before they run: a timed report stuck on a dead peer. */
    pingGate?: Promise<void>;
  } = {},
) {
  const fake = new FakeHost({
    hasKernelWireguard: true,
    hasDummy: false,
    keys: { [PRIVATE]: PUBLIC },
    socketDir: join(dir, "wg"),
  });
  fake.handshakeAt = 1_700_000_000;
  const host = createFakeHostDriver(fake, { store, logger });
  const reports: THealthReport[] = [];
  const calls = { delivered: 0, gone: [] as string[] };
  let controllerError: string | null = null;
  const queue: ReconcileQueue = new ReconcileQueue({
    store,
    runner: fake,
    logger,
    host,
    frr: null,
    onKeyRotated: () => Promise.resolve(),
    onChanged: () => undefined,
  });
  await queue.accept(makeTestConfig([makeTestPeer(2)], { version: 3 }));
  vi.useFakeTimers();
  const gate = options.pingGate;
  const commands: string[] = [];
  const runner: TRunner = {
    run: async (argv, runOptions) => {
      commands.push(argv.join(" "));
      if (gate && argv[0] === "ping") await gate;
      return fake.run(argv, runOptions);
    },
    spawnDaemon: (argv) => fake.spawnDaemon(argv),
    isAlive: (pid, marker) => fake.isAlive(pid, marker),
    kill: (pid, signal) => fake.kill(pid, signal),
  };
  const reporter = new HealthReporter({
    identity: store.readIdentity()!,
    store,
    runner,
    logger,
    host,
    frr: null,
    queue,
    send:
      options.send ??
      ((report) => {
        reports.push(report);
        return Promise.resolve();
      }),
    controllerError: () => controllerError,
    onDelivered: () => (calls.delivered += 1),
    onNodeGone: (message) => calls.gone.push(message),
  });
  return {
    fake,
    queue,
    reporter,
    reports,
    calls,
    commands,
    setControllerError: (error: string) => (controllerError = error),
  };
}

describe("HealthReporter", () => {
  it("reports every healthIntervalSec (5 s in the test mesh), not before", async () => {
    const { reporter, reports, calls } = await setUp();
    reporter.start();
    await vi.advanceTimersByTimeAsync(4999);
    expect(reports).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reports).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(reports).toHaveLength(2);
    expect(calls.delivered).toBe(2);
    expect(reports[0]).toMatchObject({ appliedVersion: 3, applyError: null, publicKey: PUBLIC });
    expect(reports[0]?.peers.map((peer) => [peer.interface, peer.rttMs])).toEqual([["mo2", 0.1]]);
    reporter.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reports).toHaveLength(2);
  });

  it("after changes: one report each at once without probes, one probing report once settled", async () => {
    const { fake, reporter, reports } = await setUp();
    fake.takeMutations();
    reporter.reportChange();
    reporter.reportChange();
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toHaveLength(2);
    // Without probes: no RTT measured yet (nothing to repeat either).
    expect(reports[0]?.peers[0]?.rttMs).toBeNull();
    await vi.advanceTimersByTimeAsync(SETTLE_REPORT_MS);
    expect(reports).toHaveLength(3);
    expect(reports[2]?.peers[0]?.rttMs).toBe(0.1);
    // Reports only read the host.
    expect(fake.takeMutations()).toBe("");
  });

  it("skips a change report while a config pass waits behind it (a join burst), settles later", async () => {
    const { queue, reporter, reports } = await setUp();
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    void queue.enqueue(() => gate);
    reporter.reportChange();
    const pass = queue.accept(makeTestConfig([makeTestPeer(2), makeTestPeer(3)], { version: 4 }));
    expect(queue.isConfigPassWaiting).toBe(true);
    release();
    await vi.advanceTimersByTimeAsync(100);
    await pass;
    // The config pass ran instead of the report in front of it.
    expect(queue.appliedVersion).toBe(4);
    expect(reports).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(SETTLE_REPORT_MS);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.appliedVersion).toBe(4);
  });

  it("lets a config pass queued behind a timed report go first, and reports right after it", async () => {
    const { queue, reporter, reports } = await setUp();
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    void queue.enqueue(() => gate);
    void reporter.report("interval");
    const pass = queue.accept(makeTestConfig([makeTestPeer(2), makeTestPeer(3)], { version: 4 }));
    release();
    await pass;
    // The report waited for the pass: it already carries the new version.
    expect(reports).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.appliedVersion).toBe(4);
    expect(reports[0]?.peers.map((peer) => peer.interface)).toEqual(["mo2", "mo3"]);
  });

  it("holds the queue while it reads, not while the controller answers; reports go out in order", async () => {
    const answers: Array<() => void> = [];
    const reports: THealthReport[] = [];
    const { queue, reporter } = await setUp({
      send: (report) => {
        reports.push(report);
        return new Promise<void>((resolve) => answers.push(resolve));
      },
    });
    const first = reporter.report("interval");
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toHaveLength(1); // sent, no answer yet
    // A config pass (a peer's next tunnels in a rotation) does not wait for that answer.
    await queue.accept(makeTestConfig([makeTestPeer(2), makeTestPeer(3)], { version: 4 }));
    expect(queue.appliedVersion).toBe(4);
    // The next report is read now but sent only after the first one's answer.
    const second = reporter.report("interval");
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toHaveLength(1);
    answers.shift()!();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toHaveLength(2);
    expect(reports[1]?.appliedVersion).toBe(4);
    answers.shift()!();
    await second;
  });

  it("a routing change reports at once past a probing report, which is then dropped as older", async () => {
    let release = () => {};
    const pingGate = new Promise<void>((resolve) => (release = resolve));
    const { reporter, reports } = await setUp({ pingGate });
    const timed = reporter.report("interval");
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toHaveLength(0); // waiting on its ping
    reporter.reportRoutingChange("");
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.peers[0]?.rttMs).toBeNull(); // no probes
    release();
    await timed;
    // The timed report read the host before the change report: sending it would undo the news.
    expect(reports).toHaveLength(1);
  });

  it("a routing change after a report sends that report with only its sessions replaced, running nothing", async () => {
    const { fake, reporter, reports, commands } = await setUp();
    await reporter.report("interval");
    expect(reports).toHaveLength(1);
    const [full] = reports;
    expect(full?.peers[0]).toMatchObject({ interface: "mo2", bgpState: null, rttMs: 0.1 });
    commands.length = 0;
    const hostRuns = vi.spyOn(fake, "run");
    const neighbors = JSON.stringify({
      mo2: {
        bgpState: "Active",
        peerBfdInfo: { status: "Down" },
        addressFamilyInfo: { ipv4Unicast: { acceptedPrefixCounter: 0, sentPrefixCounter: 1 } },
      },
    });
    reporter.reportRoutingChange(neighbors);
    await vi.advanceTimersByTimeAsync(0);
    expect(commands).toEqual([]);
    expect(hostRuns).not.toHaveBeenCalled();
    expect(reports).toHaveLength(2);
    const fast = reports[1]!;
    expect(fast.peers[0]).toEqual({
      ...full!.peers[0],
      bgpState: "Active",
      bgpUptimeSec: null,
      bfdState: "down",
      prefixesReceived: 0,
      prefixesSent: 1,
    });
    expect(fast).toMatchObject({
      appliedVersion: full!.appliedVersion,
      publicKey: full!.publicKey,
      routeCandidates: null,
    });
    expect(fast.routes).toBeUndefined();
    // Text that cannot be read: a full collection (without probes) instead.
    reporter.reportRoutingChange("not json");
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toHaveLength(3);
    expect(hostRuns).toHaveBeenCalled();
    expect(reports[2]?.peers[0]?.bgpState).toBeNull(); // read again: FRR is off here
    expect(commands.some((command) => command.startsWith("ping"))).toBe(false);
  });

  it("writes the status file but sends nothing while the controller refuses the node", async () => {
    const { reporter, reports, setControllerError } = await setUp();
    setControllerError("this node was removed");
    await reporter.report("interval");
    expect(reports).toHaveLength(0);
    expect(store.readStatus()).toMatchObject({
      name: "node1",
      appliedVersion: 3,
      controllerError: "this node was removed",
    });
  });

  it("tells the subscription when the controller refuses a report (node gone)", async () => {
    const result = { error: { code: -32001, message: "gone", data: { code: "NOT_FOUND" } } };
    const { reporter, calls } = await setUp({
      send: () => Promise.reject(new TRPCClientError("gone", { result })),
    });
    await reporter.report("interval");
    expect(calls).toEqual({ delivered: 0, gone: ["gone"] });
  });
});
