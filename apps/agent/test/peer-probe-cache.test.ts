import { describe, expect, it } from "vitest";
import type { TRunner } from "../src/exec/run-command";
import { PeerProbeCache } from "../src/health/peer-probes";

/** A runner whose pings all answer in 1.5 ms; counts the pings. */
function answeringPings() {
  const argvs: string[][] = [];
  const runner: TRunner = {
    run: (argv) => {
      argvs.push([...argv]);
      return Promise.resolve({
        code: 0,
        stdout: "64 bytes from fe80::2%mo2: icmp_seq=1 ttl=64 time=1.5 ms\n",
        stderr: "",
        durationMs: 1,
      });
    },
    spawnDaemon: () => Promise.reject(new Error("not used")),
    isAlive: () => false,
    kill: () => false,
  };
  return { runner, argvs };
}

describe("PeerProbeCache", () => {
  it("recalls the last measured RTT and MTU without probing again", async () => {
    const { runner, argvs } = answeringPings();
    const probes = new PeerProbeCache();
    expect(probes.recall("mo2")).toEqual([null, null]);
    expect(await probes.measureRtt(runner, "mo2", "fe80::2")).toBe(1.5);
    expect(await probes.measureMtu(runner, "mo2", "fe80::2", 1420, "[2001:db8::2]:51821", 0)).toBe(
      1420,
    );
    const pings = argvs.length;
    expect(probes.recall("mo2")).toEqual([1.5, 1420]);
    expect(argvs).toHaveLength(pings);
    // A fresh MTU within the cache age is not measured again either.
    await probes.measureMtu(runner, "mo2", "fe80::2", 1420, "[2001:db8::2]:51821", 1000);
    expect(argvs).toHaveLength(pings);
    expect(probes.recall("mo3")).toEqual([null, null]);
  });
});
