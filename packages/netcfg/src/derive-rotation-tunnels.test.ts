import { describe, expect, it } from "vitest";
import type { TDesiredNodeConfig, TPeerConfig } from "./config";
import { DEFAULT_NODE_ROUTING } from "./route-sources";
import { deriveFrrConfig } from "./derive-frr-config";
import {
  deriveRotationTunnels,
  isRetirementPending,
  listRoutedTunnels,
  toRotationPlanTunnels,
  type TRoleTunnel,
} from "./derive-rotation-tunnels";
import {
  getLinkLocalAddress,
  getTunnelListenPort,
  parseTunnelInterfaceName,
} from "./derive-tunnels";
import { deriveDesiredHost } from "./plan/derive-desired-host";
import { EMPTY_OWNED_STATE, type THostState, type TOwnedState } from "./plan/host-state";
import { describeOperation } from "./plan/operations";
import { planHost } from "./plan/plan-host";
import { simulatePlan } from "./plan/simulate-plan";
import { TEST_MESH_SETTINGS } from "./test-fixtures";

const KEY = "c2VsZi1rZXktc2VsZi1rZXktc2VsZi1rZXktc2VsZjA=";
const NEXT_KEY = "bmV4dC1rZXktbmV4dC1rZXktbmV4dC1rZXktbmV4dDA=";
const PEER_KEY = "cGVlci1rZXktcGVlci1rZXktcGVlci1rZXktcGVlcjA=";
const PEER_NEXT_KEY = "cGVlci1uZXh0LXBlZXItbmV4dC1wZWVyLW5leHQtcDA=";

function makeConfig(selfSlot: 0 | 1, peer: Partial<TPeerConfig> = {}): TDesiredNodeConfig {
  return {
    version: 1,
    self: {
      id: "00000000-0000-4000-8000-000000000001",
      name: "node1",
      index: 1,
      asn: 4200000001,
      ipv4: "10.128.0.1",
      ipv6: "fd12:3456:789a::1",
      advertisedPrefixes: [],
      ...(selfSlot === 1 ? { keySlot: 1 } : {}),
    },
    peers: [
      {
        id: "00000000-0000-4000-8000-000000000002",
        name: "node2",
        index: 2,
        asn: 4200000002,
        ipv4: "10.128.0.2",
        ipv6: "fd12:3456:789a::2",
        advertisedPrefixes: [],
        publicKey: PEER_KEY,
        endpoints: ["2001:db8::2"],
        allowedRanges: [],
        ...peer,
      },
    ],
    settings: TEST_MESH_SETTINGS,
    rotation: null,
    routing: DEFAULT_NODE_ROUTING,
  };
}

const summarize = (tunnels: readonly TRoleTunnel[]) =>
  tunnels.map(
    (t) =>
      `${t.interfaceName} ${t.role} listen=${t.listenPort} remote=${t.remotePort} peer=${t.wireguardPeer.publicKey.slice(0, 4)}${t.isNextKey ? " next-key" : ""}`,
  );

describe("tunnel slots", () => {
  it("names, ports and link-locals: slot 0 mo<i> on basePort + i, slot 1 mo<i>r on basePort − i", () => {
    expect(getTunnelListenPort(51820, 7, 0)).toBe(51827);
    expect(getTunnelListenPort(51820, 7, 1)).toBe(51813);
    expect(parseTunnelInterfaceName("mo7r")).toEqual({ index: 7, slot: 1 });
    expect(parseTunnelInterfaceName("mo7")).toEqual({ index: 7, slot: 0 });
    expect(parseTunnelInterfaceName("eth0")).toBeNull();
    expect([getLinkLocalAddress(26, 0), getLinkLocalAddress(26, 1)]).toEqual([
      "fe80::1a",
      "fe80::1:1a",
    ]);
    expect(() => getTunnelListenPort(1024, 2000, 1)).toThrow(/outside 1\.\.65535/);
  });
});

describe("deriveRotationTunnels", () => {
  const none = { presentTunnels: [], frrNeighbors: [], establishedNeighbors: [] };
  it.each([
    {
      name: "no rotation: one tunnel per peer in the pair's slot",
      config: makeConfig(0),
      nextPublicKey: null,
      want: ["mo2 current listen=51822 remote=51821 peer=cGVl"],
    },
    {
      name: "a rotated peer (keySlot 1) moves the pair to slot 1 on both ends",
      config: makeConfig(0, { keySlot: 1 }),
      nextPublicKey: null,
      want: ["mo2r current listen=51818 remote=51819 peer=cGVl"],
    },
    {
      name: "this node rotating: a next tunnel with its next key beside the current one",
      config: makeConfig(0),
      nextPublicKey: NEXT_KEY,
      want: [
        "mo2 current listen=51822 remote=51821 peer=cGVl",
        "mo2r next listen=51818 remote=51819 peer=cGVl next-key",
      ],
    },
    {
      name: "the peer rotating: a next tunnel to its next key",
      config: makeConfig(1, { nextPublicKey: PEER_NEXT_KEY }),
      nextPublicKey: null,
      want: [
        "mo2r current listen=51818 remote=51819 peer=cGVl",
        "mo2 next listen=51822 remote=51821 peer=cGVl",
      ],
    },
  ])("$name", ({ config, nextPublicKey, want }) => {
    const tunnels = deriveRotationTunnels({ config, nextPublicKey, ...none });
    expect(summarize(tunnels)).toEqual(want);
  });

  it("the peer's next tunnel carries its next key", () => {
    const config = makeConfig(0, { nextPublicKey: PEER_NEXT_KEY });
    const [, next] = deriveRotationTunnels({ config, nextPublicKey: null, ...none });
    expect(next?.wireguardPeer.publicKey).toBe(PEER_NEXT_KEY);
  });

  it.each([
    {
      name: "new session not up: retiring (link and BGP kept)",
      inFrr: ["mo2"],
      up: [],
      role: "retiring",
    },
    {
      name: "new session up: draining (BGP removed, link kept)",
      inFrr: ["mo2", "mo2r"],
      up: ["mo2r"],
      role: "draining",
    },
    {
      name: "new session up, old neighbor gone: the link goes",
      inFrr: ["mo2r"],
      up: ["mo2r"],
      role: null,
    },
  ])("an old tunnel after promotion, $name", ({ inFrr, up, role }) => {
    const tunnels = deriveRotationTunnels({
      config: makeConfig(1),
      nextPublicKey: null,
      presentTunnels: ["mo2", "mo2r"],
      frrNeighbors: inFrr,
      establishedNeighbors: up,
    });
    expect(tunnels[0]).toMatchObject({ interfaceName: "mo2r", role: "current" });
    expect(tunnels[1]?.role ?? null).toBe(role);
    expect(tunnels[1]?.interfaceName ?? "mo2").toBe("mo2");
    expect(isRetirementPending(tunnels)).toBe(role !== null);
  });
});

// One node through a whole rotation, each step planned by netcfg and applied by the plan
// simulator: the current tunnel is never changed or deleted before the new one carries BGP.
describe("a rotation planned step by step", () => {
  interface TStep {
    config: TDesiredNodeConfig;
    keys: { publicKey: string; nextPublicKey: string | null };
    established: string[];
  }
  function plan(host: THostState, owned: TOwnedState, step: TStep) {
    const tunnels = deriveRotationTunnels({
      config: step.config,
      nextPublicKey: step.keys.nextPublicKey,
      presentTunnels: host.links.map((link) => link.name).filter((n) => owned.links.includes(n)),
      frrNeighbors: host.frr?.neighbors ?? [],
      establishedNeighbors: step.established,
    });
    const routed = listRoutedTunnels(tunnels);
    const { tunnels: planTunnels, keptDevices } = toRotationPlanTunnels(tunnels, step.keys);
    const desired = deriveDesiredHost({
      config: step.config,
      tunnels: planTunnels,
      keptDevices,
      routedDevices: routed.map((t) => t.interfaceName),
      publicKey: step.keys.publicKey,
      addressDevice: "lo",
      isFrrManaged: true,
    });
    // The FRR model the agent would render has exactly the routed tunnels' neighbors.
    expect(
      deriveFrrConfig(step.config, { tunnels: routed })
        .neighbors.map((n) => n.interfaceName)
        .sort(),
    ).toEqual(desired.frr?.neighbors);
    const operations = planHost({ observed: host, desired, owned }).operations;
    return { operations, ...simulatePlan(host, owned, operations) };
  }

  it("builds the next tunnel, keeps the old one until the new session is up, drains it, then deletes it", () => {
    const lo = {
      name: "lo",
      kind: "loopback" as const,
      mtu: 65536,
      isUp: true,
      addresses: ["127.0.0.1/8"],
      wireguard: null,
    };
    let host: THostState = { links: [lo], sysctls: {}, frr: null };
    let owned: TOwnedState = EMPTY_OWNED_STATE;
    const before = { publicKey: KEY, nextPublicKey: null };
    const during = { publicKey: KEY, nextPublicKey: NEXT_KEY };
    const after = { publicKey: NEXT_KEY, nextPublicKey: null };
    const step = (slot: 0 | 1, keys: TStep["keys"], established: string[]): TStep => ({
      config: makeConfig(slot),
      keys,
      established,
    });
    const steps: [string, TStep][] = [
      ["converged", step(0, before, [])],
      ["rotating", step(0, during, ["mo2"])],
      ["promoted, new session not up yet", step(1, after, ["mo2"])],
      ["new session up", step(1, after, ["mo2", "mo2r"])],
      ["drained", step(1, after, ["mo2r"])],
      ["converged again", step(1, after, ["mo2r"])],
    ];
    const seen: Record<string, string[]> = {};
    for (const [name, step] of steps) {
      const result = plan(host, owned, step);
      seen[name] = result.operations
        .map(describeOperation)
        .filter(
          (text) =>
            !text.startsWith("sysctl-set net.ipv") &&
            !text.startsWith("frr-set-base") &&
            !text.startsWith("address-add lo"),
        );
      ({ host, owned } = result);
    }
    expect(seen.rotating).toEqual([
      "link-create mo2r wireguard",
      `wg-set-private-key mo2r pub=${NEXT_KEY}`,
      "wg-set-listen-port mo2r 51818",
      `wg-set-peer mo2r ${PEER_KEY} endpoint=[2001:db8::2]:51819 allowed=0.0.0.0/0,::/0 keepalive=25`,
      "link-set-mtu mo2r 1420",
      // Its own link-local (slot 1): BFD keeps the two tunnels of the pair apart.
      "address-add mo2r fe80::1:1/64",
      "link-set-up mo2r",
      "frr-add-neighbor mo2r",
    ]);
    // Nothing touches mo2 while it carries traffic, and nothing at all until the new session is up.
    expect(seen["promoted, new session not up yet"]).toEqual([]);
    expect(seen["new session up"]).toEqual(["frr-remove-neighbor mo2"]);
    expect(seen.drained).toEqual(["link-delete mo2"]);
    expect(seen["converged again"]).toEqual([]);
    expect(host.links.map((link) => link.name)).toEqual(["lo", "mo2r"]);
    expect(host.links[1]?.wireguard?.publicKey).toBe(NEXT_KEY);
  });
});
