import { describe, expect, it } from "vitest";
import { readUnderlayAddresses } from "../src/commands/join-mesh";
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

describe("readUnderlayAddresses", () => {
  it("lists global addresses of both families (IPv6 first), skips node-address devices and the {} entries iproute2 prints for filtered ones", async () => {
    // Shaped as `ip -json addr show scope global` prints it (iproute2 6.1) on this machine.
    const stdout = JSON.stringify([
      {
        ifindex: 4,
        ifname: "eth0",
        addr_info: [{ family: "inet6", local: "fd00::2", prefixlen: 64, scope: "global" }, {}],
      },
      {},
      {
        ifindex: 1,
        ifname: "lo",
        addr_info: [{ family: "inet", local: "10.128.0.1", prefixlen: 32, scope: "global" }],
      },
      {
        ifindex: 5,
        ifname: "eth1",
        addr_info: [{ family: "inet", local: "192.168.1.10", prefixlen: 24, scope: "global" }],
      },
      {
        ifindex: 631,
        ifname: "br0",
        addr_info: [{ family: "inet6", local: "2001:db8:8b1b::1", prefixlen: 64 }, {}],
      },
    ]);
    expect(await readUnderlayAddresses(answering(stdout))).toEqual([
      "fd00::2",
      "2001:db8:8b1b::1",
      "192.168.1.10",
    ]);
  });
});
