import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TRouteCandidate } from "@meshover/netcfg";
import { teardownHost } from "../src/commands/teardown-host";
import type { TRunner } from "../src/exec/run-command";
import type { TFrrAdapter } from "../src/frr/frr-adapter";
import { reconcileHost } from "../src/reconcile/reconcile-host";
import { HandoverRoutes } from "../src/sources/handover-routes";
import { StateStore } from "../src/state/state-store";
import { createFakeHostDriver, FakeHost } from "./fake-host";
import { makeTestConfig, makeTestKey, makeTestPeer } from "./test-config";

const PRIVATE = makeTestKey(1000);
const logger = pino({ level: "silent" });
const VIP: TRouteCandidate = {
  prefix: "198.51.100.20/32",
  source: "connected",
  interface: "kube-lb0",
  protocol: null,
  speaker: null,
  verdict: "announced",
  refusal: null,
  detail: null,
};
const CONFIG = makeTestConfig([makeTestPeer(2), makeTestPeer(3)], { version: 1 });

let dir: string;
let store: StateStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-handover-test-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
  store.writeKeys({ privateKey: PRIVATE, publicKey: makeTestKey(2000), rotationId: null });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function setUp() {
  const fake = new FakeHost({
    hasKernelWireguard: true,
    hasDummy: true,
    keys: { [PRIVATE]: makeTestKey(2000) },
    socketDir: join(dir, "wireguard"),
  });
  const host = createFakeHostDriver(fake, { store, logger });
  await reconcileHost({ config: CONFIG, host, frr: null, store, logger });
  fake.mutations = [];
  // Only the RIB is read from FRR here: n3 announces the VIP too, n2 passes n3's path on.
  let rib: Record<string, { valid: boolean; path: string }[]> = {
    "198.51.100.20/32": [
      { valid: true, path: "" },
      { valid: true, path: "4200000002 4200000003" },
      { valid: true, path: "4200000003" },
    ],
  };
  const frr = {
    show: (command: string) =>
      Promise.resolve(JSON.stringify({ routes: command.includes("ipv4") ? rib : {} })),
  } as unknown as TFrrAdapter;
  // Every command the handover loop runs, reads included.
  const commands: string[] = [];
  const runner: TRunner = {
    run: (argv, options) => {
      commands.push(argv.join(" "));
      return fake.run(argv, options);
    },
    spawnDaemon: (argv) => fake.spawnDaemon(argv),
    isAlive: (pid, marker) => fake.isAlive(pid, marker),
    kill: (pid, signal) => fake.kill(pid, signal),
  };
  const handover = new HandoverRoutes({ runner, logger, frr });
  const setRib = (next: typeof rib) => (rib = next);
  return { fake, host, frr, handover, setRib, commands };
}

describe("handover routes on a fake host", () => {
  it("routes a VIP another node also holds through that node's tunnel in meshover's table, and changes nothing on the next look", async () => {
    const { fake, handover, commands } = await setUp();
    await handover.update(CONFIG, [VIP]);
    expect(fake.mutations).toEqual([
      "ip -4 rule add priority 32700 table 4261",
      "ip -6 rule add priority 32700 table 4261",
      "ip route replace 198.51.100.20/32 dev mo3 table 4261",
    ]);
    fake.mutations = [];
    commands.length = 0;
    await handover.update(CONFIG, [VIP]);
    expect(fake.mutations).toEqual([]);
    // An unchanged look reads only the table (the rules are checked when a route goes in).
    expect(commands).toEqual([
      "ip -4 -json route show table 4261",
      "ip -6 -json route show table 4261",
    ]);
    expect(fake.unexpected).toEqual([]);
  });

  it("removes the route and the rules once the VIP is no longer local or nobody else has it", async () => {
    const { fake, handover, setRib } = await setUp();
    await handover.update(CONFIG, [VIP]);
    fake.mutations = [];
    setRib({ "198.51.100.20/32": [{ valid: true, path: "" }] });
    await handover.update(CONFIG, [VIP]);
    expect(fake.mutations).toEqual([
      "ip route del 198.51.100.20/32 table 4261",
      "ip -4 rule del priority 32700 table 4261",
      "ip -6 rule del priority 32700 table 4261",
    ]);
    fake.mutations = [];
    // Nothing wanted and the table known empty: no command at all.
    await handover.update(CONFIG, []);
    expect(fake.mutations).toEqual([]);
  });

  it("leaves no rule behind on teardown", async () => {
    const { fake, host, handover } = await setUp();
    await handover.update(CONFIG, [VIP]);
    const errors = await teardownHost({ store, runner: fake, logger, frr: null, host });
    expect(errors).toEqual([]);
    expect(fake.handoverRoutes.size).toBe(0);
    expect([...fake.handoverRules]).toEqual([]);
  });
});
