import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deriveFrrConfig, deriveFrrState } from "@meshover/netcfg";
import type { TCommandResult, TRunner } from "../src/exec/run-command";
import { FrrDriver } from "../src/frr/frr-driver";
import { StateStore } from "../src/state/state-store";
import { makeTestConfig, makeTestPeer } from "./test-config";

const CONFIG = makeTestConfig([3, 4].map((index) => makeTestPeer(index)));
const MODEL = deriveFrrConfig(CONFIG);
const STATE = deriveFrrState(CONFIG, ["mo3", "mo4"]);

/** Records commands; answers every one with success (FRR itself is exercised in the lab). */
class RecordingRunner implements TRunner {
  commands: string[] = [];
  run(argv: readonly string[]): Promise<TCommandResult> {
    this.commands.push(argv.map((arg) => (arg.includes(" ") ? `'${arg}'` : arg)).join(" "));
    return Promise.resolve({ code: 0, stdout: "", stderr: "" });
  }
  spawnDaemon(): Promise<number> {
    return Promise.reject(new Error("not expected"));
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mo-agent-frr-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function makeDriver(mode: "managed" | "system") {
  const runner = new RecordingRunner();
  const store = new StateStore(join(dir, "state"));
  store.ensureDir();
  mkdirSync(join(dir, "ps1"));
  const frr = new FrrDriver({
    mode,
    runner,
    logger: pino({ level: "silent" }),
    store,
    pathspace: "ps1",
    etcDir: dir,
  });
  return { runner, frr };
}

describe("FrrDriver", () => {
  it("adds and removes one neighbor with targeted vtysh commands (no reload)", async () => {
    const { runner, frr } = makeDriver("managed");
    await frr.apply(
      [
        { op: "frr-add-neighbor", device: "mo4" },
        { op: "frr-remove-neighbor", device: "mo2" },
      ],
      MODEL,
      STATE,
    );
    expect(runner.commands).toEqual([
      "vtysh -N ps1 -c 'configure terminal' -c 'interface mo4' -c 'ipv6 nd ra-interval 1' -c 'no ipv6 nd suppress-ra' -c exit -c 'router bgp 4200000001' -c 'neighbor mo4 interface peer-group MESH' -c 'neighbor mo4 description node4'",
      "vtysh -N ps1 -c 'configure terminal' -c 'router bgp 4200000001' -c 'no neighbor mo2'",
    ]);
    // The startup file follows, so a restarted FRR comes back with the same neighbors.
    expect(readFileSync(join(dir, "ps1", "frr.conf"), "utf8")).toContain(
      " neighbor mo4 interface peer-group MESH\n",
    );
  });

  it("applies a global change through frr-reload.py, then refreshes routes the old filter dropped", async () => {
    const { runner, frr } = makeDriver("managed");
    const { neighbors: _neighbors, ...base } = STATE;
    await frr.apply([{ op: "frr-set-base", base }], MODEL, STATE);
    expect(runner.commands).toEqual([
      `/usr/lib/frr/frr-reload.py --pathspace ps1 --reload ${join(dir, "ps1", "frr.conf")}`,
      `vtysh -N ps1 -c 'clear bgp ipv4 unicast * soft in' -c 'clear bgp ipv6 unicast * soft in'`,
    ]);
  });

  it("system mode: replaces only meshover's block, tests then reloads under a lock", async () => {
    const { runner, frr } = makeDriver("system");
    writeFileSync(join(dir, "frr.conf"), "hostname keep-me\n!\nrouter ospf\nexit\n");
    const { neighbors: _neighbors, ...base } = STATE;
    await frr.apply([{ op: "frr-set-base", base }], MODEL, STATE);
    const candidate = join(dir, "state", "frr-candidate.conf");
    expect(runner.commands).toEqual([
      `flock /run/lock/meshover-frr.lock /usr/lib/frr/frr-reload.py --test ${candidate}`,
      `install -m 0640 -o frr -g frr ${candidate} ${join(dir, "frr.conf")}`,
      `flock /run/lock/meshover-frr.lock /usr/lib/frr/frr-reload.py --reload ${join(dir, "frr.conf")}`,
      `flock /run/lock/meshover-frr.lock vtysh -c 'clear bgp ipv4 unicast * soft in' -c 'clear bgp ipv6 unicast * soft in'`,
    ]);
    const text = readFileSync(candidate, "utf8");
    expect(text.startsWith("hostname keep-me\n!\nrouter ospf\nexit\n! meshover begin")).toBe(true);
    expect(text.trimEnd().endsWith("! meshover end")).toBe(true);
  });
});
