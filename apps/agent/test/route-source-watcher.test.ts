import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { DEFAULT_NODE_ROUTING, type TDesiredNodeConfig } from "@meshover/netcfg";
import type { TCommandResult, TRunner } from "../src/exec/run-command";
import { RouteSourceWatcher, STABLE_PASSES } from "../src/sources/route-source-watcher";
import { makeTestConfig } from "./test-config";

const logger = pino({ level: "silent" });

/** A host modelled as the JSON `ip` prints; fails on any other command. */
class ScriptedHost implements TRunner {
  links: { name: string; up?: boolean; addrs: [string, number][] }[] = [];
  routes4: Record<string, unknown>[] = [];
  routes6: Record<string, unknown>[] = [];
  commands: string[] = [];

  run(argv: readonly string[]): Promise<TCommandResult> {
    const line = argv.join(" ");
    this.commands.push(line);
    const ok = (value: unknown) =>
      Promise.resolve({ code: 0, stdout: JSON.stringify(value), stderr: "" });
    if (line === "ip -json addr show") {
      return ok(
        this.links.map((link, i) => ({
          ifindex: i + 1,
          ifname: link.name,
          flags: link.up === false ? ["BROADCAST"] : ["BROADCAST", "UP", "LOWER_UP"],
          operstate: link.up === false ? "DOWN" : "UP",
          addr_info: link.addrs.map(([local, prefixlen]) => ({
            family: local.includes(":") ? "inet6" : "inet",
            local,
            prefixlen,
            scope: "global",
          })),
        })),
      );
    }
    if (line === "ip -N -json -4 route show table main") return ok(this.routes4);
    if (line === "ip -N -json -6 route show table main") return ok(this.routes6);
    throw new Error(`unexpected command: ${line}`);
  }
  spawnDaemon(): Promise<number> {
    throw new Error("unexpected daemon");
  }
  isAlive(): boolean {
    return false;
  }
  kill(): boolean {
    return false;
  }
}

function configWith(routing: Partial<TDesiredNodeConfig["routing"]>): TDesiredNodeConfig {
  return { ...makeTestConfig(), routing: { ...DEFAULT_NODE_ROUTING, ...routing } };
}

const PODS = configWith({
  mayOriginate: true,
  sources: {
    ...DEFAULT_NODE_ROUTING.sources,
    interfaces: ["kube-lb0"],
    ciliumPodCidr: true,
    kernelProtocols: ["static"],
  },
  allowedRanges: [
    { prefix: "10.0.0.0/8", maxLength: 24, anycast: false },
    { prefix: "198.51.100.0/24", maxLength: 32, anycast: true },
    { prefix: "fd10::/16", maxLength: 120, anycast: false },
  ],
  maxPrefixes: 4,
});

/** Scenario A of ROUTING-NOTES §4 on one host, plus a VIP on kube-lb0. */
function ciliumHost(): ScriptedHost {
  const host = new ScriptedHost();
  host.links = [
    { name: "eth0", addrs: [["2001:db8::1", 64]] },
    {
      name: "cilium_host",
      addrs: [
        ["10.0.1.1", 32],
        ["fd10:0:0:1::1", 128],
      ],
    },
    { name: "kube-lb0", addrs: [["198.51.100.10", 32]] },
    { name: "kube-ipvs0", up: false, addrs: [["10.96.0.1", 32]] },
  ];
  host.routes4 = [
    {
      dst: "10.0.1.0/24",
      gateway: "10.0.1.1",
      dev: "cilium_host",
      protocol: "2",
      prefsrc: "10.0.1.1",
    },
    // Another node's CIDR, as Cilium routes it in tunnel mode: never this node's.
    { dst: "10.0.2.0/24", gateway: "10.0.1.1", dev: "cilium_host", protocol: "2" },
    { dst: "10.0.1.23", dev: "lxcP1", protocol: "2", scope: "link" },
    { dst: "10.60.2.0/24", dev: "vmbr1", protocol: "4" },
    { dst: "10.60.3.0/24", dev: "vmbr1", protocol: "16" },
    // FRR's own: the pod CIDR anchor and an attached prefix's blackhole (proto 196, which
    // iproute2 names `static` like the kernel's 4 once FRR is installed).
    { dst: "10.0.1.0/24", dev: "cilium_host", protocol: "196", metric: 20 },
    { type: "blackhole", dst: "10.60.9.0/24", protocol: "196", metric: 20 },
  ];
  host.routes6 = [{ dst: "fd10:0:0:1::/120", dev: "cilium_host", protocol: "2", metric: 1024 }];
  return host;
}

describe("RouteSourceWatcher", () => {
  it("finds only this node's pod CIDR, new ones after two sightings, and tells FRR once", async () => {
    const host = ciliumHost();
    const watcher = new RouteSourceWatcher({
      runner: host,
      logger,
      endpoints: () => ["2001:db8::1"],
    });
    // The first look after a start takes what is there (it was there before the restart).
    await watcher.look(makeTestConfig());
    const first = await watcher.look(PODS);
    expect(first).toEqual({ isFrrChanged: false, isCandidatesChanged: false });
    expect(watcher.candidates).toEqual([]);
    for (let pass = 1; pass < STABLE_PASSES; pass += 1) await watcher.look(PODS);
    expect(watcher.routeHost.podCidrs).toEqual([
      { prefix: "10.0.1.0/24", interface: "cilium_host" },
      { prefix: "fd10:0:0:1::/120", interface: "cilium_host" },
    ]);
    expect(watcher.candidates.map((c) => [c.prefix, c.source, c.refusal ?? c.verdict])).toEqual([
      ["10.0.1.0/24", "cilium", "announced"],
      ["10.60.2.0/24", "kernel", "announced"],
      ["198.51.100.10/32", "connected", "announced"],
      ["fd10:0:0:1::/120", "cilium", "announced"],
    ]);
    // The dhcp route is not a candidate, but FRR's `redistribute kernel` would see it: denied.
    expect(watcher.routeHost.refusedPrefixes).toEqual(["10.60.3.0/24"]);
    expect(watcher.routeHost.interfaceNames).toEqual(["kube-lb0"]);
    // Nothing changed: no FRR change, no new report.
    expect(await watcher.look(PODS)).toEqual({ isFrrChanged: false, isCandidatesChanged: false });
  });

  it("drops what disappears at once, and refuses over the cap", async () => {
    const host = ciliumHost();
    const watcher = new RouteSourceWatcher({ runner: host, logger, endpoints: () => [] });
    host.links[2]!.addrs.push(["198.51.100.11", 32], ["198.51.100.12", 32]);
    for (let pass = 0; pass < STABLE_PASSES; pass += 1) await watcher.look(PODS);
    const capped = watcher.candidates.filter((c) => c.refusal === "prefix-cap");
    // Pod CIDRs and connected VIPs claim the cap before kernel routes; VIPs in address order.
    expect(capped.map((c) => c.prefix)).toEqual(["10.60.2.0/24", "198.51.100.12/32"]);
    expect(watcher.routeHost.refusedPrefixes).toContain("198.51.100.12/32");
    host.links = host.links.filter((link) => link.name !== "cilium_host");
    const change = await watcher.look(PODS);
    expect(change.isFrrChanged).toBe(true);
    expect(watcher.routeHost.podCidrs).toEqual([]);
  });

  it("reports the full list until the controller accepts it, then null until it changes", async () => {
    const host = ciliumHost();
    const watcher = new RouteSourceWatcher({ runner: host, logger, endpoints: () => [] });
    for (let pass = 0; pass < STABLE_PASSES; pass += 1) await watcher.look(PODS);
    const sent = watcher.takeReportCandidates();
    expect(sent?.length).toBe(4);
    watcher.markFailed();
    expect(watcher.takeReportCandidates()).toEqual(sent);
    watcher.markAccepted(sent);
    expect(watcher.takeReportCandidates()).toBeNull();
    host.links[2]!.addrs = [];
    await watcher.look(PODS);
    expect(watcher.takeReportCandidates()?.map((c) => c.prefix)).not.toContain("198.51.100.10/32");
  });

  it("takes the host as settled on its first look (no withdrawal on an agent restart)", async () => {
    const watcher = new RouteSourceWatcher({ runner: ciliumHost(), logger, endpoints: () => [] });
    const change = await watcher.look(PODS);
    expect(change.isFrrChanged).toBe(true);
    expect(watcher.routeHost.podCidrs.map((pod) => pod.prefix)).toEqual([
      "10.0.1.0/24",
      "fd10:0:0:1::/120",
    ]);
  });

  it("runs no command while the node uses no sources", async () => {
    const host = ciliumHost();
    const watcher = new RouteSourceWatcher({ runner: host, logger, endpoints: () => [] });
    await watcher.look(makeTestConfig());
    expect(host.commands).toEqual([]);
    expect(watcher.takeReportCandidates()).toEqual([]);
  });
  it("reports speaker routes from FRR's Adj-RIB-In; a speaker on a local address needs FRR 9", async () => {
    const host = ciliumHost();
    host.links.push({ name: "veth-vm", addrs: [["10.201.1.1", 24]] });
    const shown: string[] = [];
    const showFrr = (command: string) => {
      shown.push(command);
      if (command === "show bgp neighbors json") {
        return Promise.resolve(
          JSON.stringify({
            "10.201.1.2": { peerGroup: "MO-SPK-1" },
            "10.0.1.1": { peerGroup: "MO-SPK-1" },
            mo2: { peerGroup: "MESH" },
          }),
        );
      }
      const routes = command.includes("10.201.1.2")
        ? { "198.51.100.30/32": {}, "10.128.0.5/32": {} }
        : { "198.51.100.31/32": {} };
      return Promise.resolve(JSON.stringify({ receivedRoutes: routes }));
    };
    const config = configWith({
      ...PODS.routing,
      sources: {
        ...PODS.routing.sources,
        speakers: [{ listenRange: "10.201.1.0/24", asn: 64600, maxPrefixes: 10 }],
      },
      maxPrefixes: 100,
    });
    const watcher = new RouteSourceWatcher({ runner: host, logger, endpoints: () => [], showFrr });
    await watcher.look(config);
    const speakers = watcher.candidates.filter((c) => c.source === "speaker");
    expect(speakers.map((c) => [c.prefix, c.speaker, c.refusal ?? c.verdict])).toEqual([
      ["10.128.0.5/32", "10.201.1.2", "always-denied"],
      ["198.51.100.30/32", "10.201.1.2", "announced"],
      ["198.51.100.31/32", "10.0.1.1", "speaker-needs-frr9"],
    ]);
    expect(shown).not.toContain("show bgp ipv4 unicast neighbors mo2 received-routes json");
  });
});
