import { describe, expect, it } from "vitest";
import type { TCommandResult, TRunner } from "../src/exec/run-command";
import { PeerProbeCache, type TProbeTarget } from "../src/health/peer-probes";

const ANSWER = "64 bytes from fe80::2%mo2: icmp_seq=1 ttl=64 time=1.5 ms";

/**
 * A runner whose pings answer in 1.5 ms, except DF pings larger than `pathMtu`; records every
 * ping and every helper run (runAll) apart.
 */
function answeringPings(pathMtu = 1500) {
  const pings: string[][] = [];
  const helperRuns: number[] = [];
  const ping = (argv: readonly string[]): TCommandResult => {
    pings.push([...argv]);
    const size = argv.includes("-s") ? Number(argv[argv.indexOf("-s") + 1]) + 48 : 0;
    return size > pathMtu
      ? { code: 1, stdout: "", stderr: "" }
      : { code: 0, stdout: ANSWER, stderr: "" };
  };
  const runner: TRunner = {
    run: (argv) => Promise.resolve(ping(argv)),
    runAll: (argvs) => {
      helperRuns.push(argvs.length);
      return Promise.resolve(argvs.map(ping));
    },
    spawnDaemon: () => Promise.reject(new Error("not used")),
    isAlive: () => false,
    kill: () => false,
  };
  return { runner, pings, helperRuns };
}

const target = (index: number, interfaceMtu = 1420): TProbeTarget => ({
  device: `mo${index}`,
  peerLinkLocal: `fe80::${index}`,
  interfaceMtu,
  endpoint: `[2001:db8::${index}]:51821`,
});

describe("PeerProbeCache", () => {
  it("probes every tunnel in one helper run each for RTT and MTU, then recalls them", async () => {
    const { runner, pings, helperRuns } = answeringPings();
    const probes = new PeerProbeCache();
    expect(probes.recall("mo2")).toEqual([null, null]);
    await probes.measureAll(runner, [target(2), target(3), target(4)], 0);
    expect(helperRuns).toEqual([3, 3]); // RTTs, then one DF ping at the interface MTU each
    expect(probes.recall("mo2")).toEqual([1.5, 1420]);
    expect(probes.recall("mo4")).toEqual([1.5, 1420]);
    // Within the cache age only the RTTs are probed again.
    const before = pings.length;
    await probes.measureAll(runner, [target(2), target(3), target(4)], 1000);
    expect(helperRuns).toEqual([3, 3, 3]);
    expect(pings.length - before).toBe(3);
    expect(probes.recall("mo5")).toEqual([null, null]);
  });

  it("searches the path MTU only where the interface MTU did not pass", async () => {
    const { runner, pings } = answeringPings(1400);
    const probes = new PeerProbeCache();
    await probes.measureAll(runner, [target(2)], 0);
    expect(probes.recall("mo2")).toEqual([1.5, 1400]);
    // A binary search between 1280 and 1420 after the failed DF ping.
    expect(pings.length).toBeGreaterThan(4);
  });
});
