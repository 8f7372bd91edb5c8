import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  deriveFrrConfig,
  renderFrrConfig,
  scheduleHostPlan,
  type TOperation,
} from "@meshover/netcfg";
import type { TCommandResult, TRunner } from "../src/exec/run-command";
import { ManagedFrr } from "../src/frr/managed-frr";
import { SYSTEM_LOCK, SystemFrr } from "../src/frr/system-frr";
import { StateStore } from "../src/state/state-store";
import { FakeFrr, makeFakeFrrOptions } from "./fake-frr";
import { FakeHost } from "./fake-host";
import { makeTestConfig, makeTestPeer } from "./test-config";

const CONFIG = makeTestConfig([3, 4].map((index) => makeTestPeer(index)));
const MODEL = deriveFrrConfig(CONFIG, { logSyslogLevel: null });
const logger = pino({ level: "silent" });

let dir: string;
let store: StateStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-frr-"));
  store = new StateStore(join(dir, "state"));
  store.ensureDir();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const frrStep = (operations: TOperation[]) =>
  scheduleHostPlan(operations, { wireguardMode: "kernel", privateKeyFile: "-", frrModel: MODEL })
    .frr!;

function setUpManaged() {
  const options = makeFakeFrrOptions(dir);
  const fakeFrr = new FakeFrr(options);
  const fake = new FakeHost({
    hasKernelWireguard: true,
    hasDummy: false,
    keys: {},
    socketDir: join(dir, "wg"),
    frr: fakeFrr,
  });
  const frr = new ManagedFrr({ runner: fake, logger, store, ...options });
  return { fake, fakeFrr, frr };
}

/** Every command `fake` runs from now on, as text. */
function recordCommands(fake: FakeHost): string[] {
  const ran: string[] = [];
  const run = fake.run.bind(fake);
  fake.run = (argv, options) => {
    ran.push(argv.join(" "));
    return run(argv, options);
  };
  return ran;
}

describe("ManagedFrr on a fake FRR", () => {
  it("starts the daemons with the model as startup config, recorded in the ownership record", async () => {
    const { fake, frr } = setUpManaged();
    expect(frr.isStartNeeded()).toBe(true);
    await frr.ensureRunning(MODEL);
    expect(frr.isStartNeeded()).toBe(false);
    expect(fake.dump().split("\n").at(-1)).toBe(
      "frr asn=4200000001 networks=10.128.0.1/32,fd00::1/128 neighbors=mo3,mo4",
    );
    expect(Object.keys(store.readOwned().frr?.pids ?? {})).toEqual([
      "zebra",
      "bgpd",
      "bfdd",
      "staticd",
    ]);
    expect((await frr.observe(true))?.neighbors).toEqual(["mo3", "mo4"]);
  });

  it("adds and removes one neighbor with targeted vtysh commands, then reads FRR back", async () => {
    const { fake, fakeFrr, frr } = setUpManaged();
    await frr.ensureRunning(deriveFrrConfig(makeTestConfig([makeTestPeer(3), makeTestPeer(2)])));
    fake.takeMutations();
    await frr.apply(
      frrStep([
        { op: "frr-add-neighbor", device: "mo4" },
        { op: "frr-remove-neighbor", device: "mo2" },
      ]),
    );
    expect(fake.takeMutations()).toMatchInlineSnapshot(`
      "frr: vtysh interface mo4; ipv6 nd ra-interval 1; no ipv6 nd suppress-ra; exit; bfd; peer fe80::4 interface mo4; profile meshover; exit; exit; router bgp 4200000001; neighbor mo4 interface peer-group MESH; neighbor mo4 description node4
      frr: vtysh router bgp 4200000001; no neighbor mo2; exit; bfd; no peer fe80::2 interface mo2"
    `);
    expect(fakeFrr.dump()).toBe(
      "frr asn=4200000001 networks=10.128.0.1/32,fd00::1/128 neighbors=mo3,mo4",
    );
    // Each neighbor comes and goes with its static BFD session.
    const bfdPeers = fakeFrr.running?.filter((line) => line.startsWith(" peer "));
    expect(bfdPeers).toEqual([" peer fe80::3 interface mo3", " peer fe80::4 interface mo4"]);
    // Read back, not assumed: the known state is what FRR printed.
    expect((await frr.observe(false))?.neighbors).toEqual(["mo3", "mo4"]);
    // The startup file follows, so a restarted FRR comes back with the same neighbors.
    expect(readFileSync(frr.configFile, "utf8")).toBe(renderFrrConfig(MODEL));
  });

  it("plans from what it started or applied, without reading FRR back", async () => {
    const { fake, frr } = setUpManaged();
    const ran = recordCommands(fake);
    const before = deriveFrrConfig(makeTestConfig([makeTestPeer(3), makeTestPeer(2)]));
    await frr.ensureRunning(before);
    expect((await frr.observe(false))?.neighbors).toEqual(["mo2", "mo3"]);
    const expected = { ...(await frr.observe(false))!, neighbors: ["mo3", "mo4"] };
    await frr.apply(
      frrStep([
        { op: "frr-add-neighbor", device: "mo4" },
        { op: "frr-remove-neighbor", device: "mo2" },
      ]),
      expected,
    );
    expect(await frr.observe(false)).toEqual(expected);
    expect(ran.filter((command) => command.includes("show running-config"))).toEqual([]);
    // A fresh read (periodic resyncs) still asks FRR.
    expect((await frr.observe(true))?.neighbors).toEqual(["mo3", "mo4"]);
    expect(ran.filter((command) => command.includes("show running-config"))).toHaveLength(1);
  });

  it("applies a global change through frr-reload.py, then refreshes inbound routes", async () => {
    const { fake, frr } = setUpManaged();
    await frr.ensureRunning(MODEL);
    fake.takeMutations();
    const { neighbors: _neighbors, ...base } = (await frr.observe(true))!;
    await frr.apply(frrStep([{ op: "frr-set-base", base }]));
    expect(fake.takeMutations()).toBe("frr: frr-reload.py --reload");
  });

  it("clears the sockets a killed FRR left before starting the daemons again", async () => {
    const { fakeFrr, frr } = setUpManaged();
    // SIGKILLed daemons leave their sockets: a stale bgpd.vty must not pass for a live bgpd.
    const runDir = `${fakeFrr.options.runRoot}/${fakeFrr.options.pathspace}`;
    mkdirSync(runDir, { recursive: true });
    for (const name of ["zserv.api", "zebra.vty", "bgpd.vty", "bfdd.vty", "staticd.vty"])
      writeFileSync(join(runDir, name), "");
    const staleAtSpawn: string[] = [];
    const spawn = fakeFrr.spawn.bind(fakeFrr);
    fakeFrr.spawn = (argv, pid) => {
      const daemon = argv[0]!.split("/").at(-1)!;
      if (existsSync(join(runDir, `${daemon}.vty`))) staleAtSpawn.push(daemon);
      return spawn(argv, pid);
    };
    await frr.ensureRunning(MODEL);
    expect(staleAtSpawn).toEqual([]);
  });

  it("reads nothing through vtysh while the managed daemons are not running", async () => {
    const { fake, frr } = setUpManaged();
    const ran = recordCommands(fake);
    // No socket yet (FRR starting): vtysh would find the same, at the cost of a process.
    await expect(frr.show("show bgp neighbors json")).rejects.toMatchObject({ code: "ENOENT" });
    expect(ran).toEqual([]);
  });

  it("stops every daemon and removes its folders on remove", async () => {
    const { fake, frr } = setUpManaged();
    await frr.ensureRunning(MODEL);
    const after = await frr.remove(store.readOwned());
    expect(after).toMatchObject({ frr: null, paths: [] });
    expect(fake.processes.size).toBe(0);
    expect(existsSync(frr.configFile)).toBe(false);
  });
});

/**
 * System FRR as `flock` + `sh -c` + frr-reload.py see it: the lock must be held across test,
 * install and reload in one process, so the fake accepts exactly that one script (and the
 * read-back), and throws at anything else.
 */
class FakeSystemFrr implements TRunner {
  commands: string[] = [];
  running = "";
  constructor(private readonly configFile: string) {}
  run(argv: readonly string[]): Promise<TCommandResult> {
    const text = argv.join(" ");
    this.commands.push(text);
    const [flock, lock, sh, dashC, script, reload, candidate, target] = argv;
    if (flock === "flock" && lock === SYSTEM_LOCK && sh === "sh" && dashC === "-c") {
      if (script?.includes("--test") && script.includes("install") && script.includes("--reload")) {
        expect(reload).toBe("/usr/lib/frr/frr-reload.py");
        writeFileSync(target!, readFileSync(candidate!, "utf8"));
        this.running = readFileSync(target!, "utf8");
        return Promise.resolve({ code: 0, stdout: "", stderr: "" });
      }
    }
    if (
      flock === "flock" &&
      lock === SYSTEM_LOCK &&
      argv[2] === "vtysh" &&
      argv[4]?.startsWith("clear bgp")
    )
      return Promise.resolve({ code: 0, stdout: "", stderr: "" });
    if (text === "vtysh -c show running-config")
      return Promise.resolve({ code: 0, stdout: this.running, stderr: "" });
    throw new Error(`fake system FRR: unexpected command ${text}`);
  }
  spawnDaemon(): Promise<number> {
    throw new Error("fake system FRR: no daemons in system mode");
  }
  isAlive(): boolean {
    return false;
  }
  kill(): boolean {
    throw new Error("fake system FRR: nothing to kill in system mode");
  }
}

describe("SystemFrr", () => {
  it("replaces only meshover's block, tests+installs+reloads under ONE lock, reads back", async () => {
    mkdirSync(join(dir, "etc"));
    const configFile = join(dir, "etc", "frr.conf");
    writeFileSync(configFile, "hostname keep-me\n!\nrouter ospf\nexit\n");
    const runner = new FakeSystemFrr(configFile);
    const frr = new SystemFrr({ runner, logger, store, pathspace: "-", etcDir: join(dir, "etc") });
    const base = {
      asn: 1,
      routerId: "",
      ipv4Networks: [],
      ipv6Networks: [],
      bfd: { intervalMs: 0, multiplier: 0 },
      coalesceTimeMs: null,
      policy: [],
    };
    await frr.apply(frrStep([{ op: "frr-set-base", base }]));
    const candidate = join(dir, "state", "frr-candidate.conf");
    expect(
      runner.commands.map((command) => command.replace(/sh -c .* \/usr/, "sh -c <script> /usr")),
    ).toEqual([
      `flock ${SYSTEM_LOCK} sh -c <script> /usr/lib/frr/frr-reload.py ${candidate} ${configFile}`,
      `flock ${SYSTEM_LOCK} vtysh -c clear bgp ipv4 unicast * soft in -c clear bgp ipv6 unicast * soft in`,
      "vtysh -c show running-config",
    ]);
    const text = readFileSync(configFile, "utf8");
    expect(text.startsWith("hostname keep-me\n!\nrouter ospf\nexit\n! meshover begin")).toBe(true);
    expect(text.trimEnd().endsWith("! meshover end")).toBe(true);
    expect((await frr.observe(false))?.asn).toBe(MODEL.asn);
    // Removing takes the block out again, under the same one lock.
    await frr.remove(store.readOwned());
    expect(readFileSync(configFile, "utf8")).toBe("hostname keep-me\n!\nrouter ospf\nexit\n");
  });
});
