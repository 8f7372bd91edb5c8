import { describe, expect, it } from "vitest";
import { readGlobalIpv6 } from "../src/commands/join-mesh";
import type { TRunner } from "../src/exec/run-command";

/** A runner that answers every command with `stdout` (only `run` is used here). */
function answering(stdout: string): TRunner {
  return {
    run: () => Promise.resolve({ code: 0, stdout, stderr: "", durationMs: 1 }),
    spawnDaemon: () => Promise.reject(new Error("not used")),
    isAlive: () => false,
    kill: () => false,
  };
}

describe("readGlobalIpv6", () => {
  it("lists global addresses and skips the {} entries iproute2 prints for filtered ones", async () => {
    // Captured from `ip -6 -json addr show scope global` (iproute2 6.1) on this machine.
    const stdout = JSON.stringify([
      {
        ifindex: 4,
        ifname: "eth0",
        addr_info: [{ family: "inet6", local: "fd00::2", prefixlen: 64, scope: "global" }, {}],
      },
      {},
      {
        ifindex: 631,
        ifname: "br0",
        addr_info: [{ family: "inet6", local: "2001:db8:8b1b::1", prefixlen: 64 }, {}],
      },
    ]);
    expect(await readGlobalIpv6(answering(stdout))).toEqual(["fd00::2", "2001:db8:8b1b::1"]);
  });
});
