import { parseBgpNeighbors, parseWgDump } from "@meshover/netcfg";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import {
  BOUNCE_INTERVAL_MS,
  StalledTunnelBouncer,
  findStalledTunnels,
} from "../src/health/bounce-stalled-tunnels";
import type { TCommandResult, TRunner } from "../src/exec/run-command";
import type { TFrrAdapter } from "../src/frr/frr-adapter";

const NOW_SEC = 1_800_000_000;
const WAITING = "Waiting for Peer IPv6 LLA";

/** `show bgp neighbors json`: mo2 down for `reason` since `waitedMs`, mo3 Established. */
function neighborsJson(waitedMs: number, reason = WAITING) {
  return JSON.stringify({
    mo2: { bgpState: "Idle", lastResetDueTo: reason, lastResetTimerMsecs: waitedMs },
    mo3: { bgpState: "Established", bgpTimerUpMsec: 60_000 },
  });
}

/** `wg show all dump`: each tunnel's peer last handshaken `agoSec` before NOW_SEC. */
function wgDump(agoSec: number) {
  return ["mo2", "mo3"]
    .flatMap((device) => [
      `${device}\tPRIVATE=\tPUBLIC=\t51822\toff`,
      `${device}\tPEER${device}=\t(none)\t[2001:db8::1]:51822\t0.0.0.0/0,::/0\t${NOW_SEC - agoSec}\t100\t200\t25`,
    ])
    .join("\n");
}

describe("findStalledTunnels", () => {
  it("finds a session waiting 15 s or more for the peer's link-local while the peer answers", () => {
    const cases: [waitedMs: number, agoSec: number, reason: string, expected: string[]][] = [
      [15_000, 30, WAITING, ["mo2"]],
      [14_000, 30, WAITING, []], // not that long yet
      [60_000, 200, WAITING, []], // the peer does not answer: nothing to learn from it
      [60_000, 30, "BFD down received", []], // down for another reason
    ];
    for (const [waitedMs, agoSec, reason, expected] of cases) {
      const stalled = findStalledTunnels(
        parseBgpNeighbors(neighborsJson(waitedMs, reason)),
        parseWgDump(wgDump(agoSec)),
        NOW_SEC,
      );
      expect(stalled, `${reason} for ${waitedMs} ms, handshake ${agoSec} s ago`).toEqual(expected);
    }
  });
});

describe("StalledTunnelBouncer", () => {
  it("takes a stalled tunnel down and up with its link-local address, at most once a minute", async () => {
    const ran: string[] = [];
    const result = (stdout = ""): TCommandResult => ({ code: 0, stdout, stderr: "" });
    const runner = {
      run: (argv: readonly string[], options?: { input?: string }) => {
        ran.push([...argv, ...(options?.input ? [JSON.stringify(options.input)] : [])].join(" "));
        if (argv[0] === "wg") return Promise.resolve(result(wgDump(30)));
        if (argv.includes("addr"))
          return Promise.resolve(
            result(
              JSON.stringify([
                {
                  ifindex: 5,
                  ifname: "mo2",
                  addr_info: [{ family: "inet6", local: "fe80::1", prefixlen: 64, scope: "link" }],
                },
              ]),
            ),
          );
        return Promise.resolve(result());
      },
    } as unknown as TRunner;
    let waitedMs = 10_000;
    const frr = {
      show: () => Promise.resolve(neighborsJson(waitedMs)),
    } as unknown as TFrrAdapter;
    let now = NOW_SEC * 1000;
    let serialized = 0;
    const bouncer = new StalledTunnelBouncer({
      runner,
      logger: pino({ level: "silent" }),
      frr,
      now: () => now,
      serialize: (task) => {
        serialized += 1;
        return task();
      },
    });
    // No session waits long enough: bgpd's sessions are all it reads, nothing is queued.
    expect(await bouncer.check()).toEqual([]);
    expect(ran).toEqual([]);
    expect(serialized).toBe(0);
    waitedMs = 20_000;
    expect(await bouncer.check()).toEqual(["mo2"]);
    expect(serialized).toBe(1);
    expect(ran.slice(1)).toEqual([
      "ip -json -6 addr show dev mo2",
      `ip -batch - ${JSON.stringify("link set dev mo2 down\nlink set dev mo2 up\naddr replace fe80::1/64 dev mo2 nodad\n")}`,
    ]);
    now += BOUNCE_INTERVAL_MS - 1;
    expect(await bouncer.check()).toEqual([]);
    now += 1;
    expect(await bouncer.check()).toEqual(["mo2"]);
  });
  it("judges from a recent read of bgpd's sessions when it is lent one, reading none itself", async () => {
    const show = vi.fn(() => Promise.resolve(neighborsJson(20_000)));
    const bouncer = new StalledTunnelBouncer({
      runner: {
        run: () => Promise.resolve({ code: 0, stdout: wgDump(200), stderr: "" }),
      } as unknown as TRunner,
      logger: pino({ level: "silent" }),
      frr: { show } as unknown as TFrrAdapter,
      now: () => NOW_SEC * 1000,
      recentNeighbors: () => neighborsJson(20_000),
    });
    expect(await bouncer.check()).toEqual([]); // the peer does not answer (handshake 200 s ago)
    expect(show).not.toHaveBeenCalled();
  });
});
