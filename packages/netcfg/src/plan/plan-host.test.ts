import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TDesiredNodeConfig, TPeerConfig } from "../config";
import { deriveDesiredHost, type TPlanTunnel } from "./derive-desired-host";
import type { TDesiredHost, THostState, TLinkState, TOwnedState } from "./host-state";
import { formatEndpoint } from "./format-address";
import { describeOperation, getOperationDevice, type TOperation } from "./operations";
import { planHost } from "./plan-host";
import { simulatePlan } from "./simulate-plan";
import { TEST_MESH_SETTINGS } from "../test-fixtures";
import { DEFAULT_NODE_ROUTING } from "../route-sources";

const SELF_KEY = "c2VsZi1rZXktc2VsZi1rZXktc2VsZi1rZXktc2VsZjA=";

function makeKey(seed: number): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(seed + 1, 0);
  bytes.writeUInt32BE(0xa5a5a5a5, 28);
  return bytes.toString("base64");
}

function makePeer(index: number, variant = 0): TPeerConfig {
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    name: `node${index}`,
    index,
    asn: 4200000000 + index,
    ipv4: `10.128.0.${index}`,
    ipv6: `fd00::${index.toString(16)}`,
    advertisedPrefixes: [],
    publicKey: makeKey(index * 7 + variant),
    endpoints: [`2001:db8::${(index + variant * 1000).toString(16)}`],
    allowedRanges: [],
  };
}

function makeConfig(peerIndices: readonly number[], selfIndex = 1): TDesiredNodeConfig {
  return {
    version: 1,
    self: {
      id: "00000000-0000-4000-8000-000000000000",
      name: "self",
      index: selfIndex,
      asn: 4200000000 + selfIndex,
      ipv4: `10.128.0.${selfIndex}`,
      ipv6: `fd00::${selfIndex.toString(16)}`,
      advertisedPrefixes: ["192.168.50.0/24"],
    },
    peers: peerIndices.map((index) => makePeer(index)),
    settings: { ...TEST_MESH_SETTINGS, ipv6Pool: "fd00::/48" },
    rotation: null,
    routing: DEFAULT_NODE_ROUTING,
  };
}

// A minimal tunnel derivation for these tests (the real one lives in the tunnel model).
function makeTunnels(config: TDesiredNodeConfig): TPlanTunnel[] {
  return config.peers.map((peer) => ({
    device: `mo${peer.index}`,
    listenPort: config.settings.basePort + peer.index,
    mtu: 1420,
    addresses: [`fe80::${config.self.index.toString(16)}/64`],
    peer: {
      publicKey: peer.publicKey,
      endpoint: peer.endpoints[0]
        ? formatEndpoint(peer.endpoints[0], config.settings.basePort + config.self.index)
        : null,
      allowedIps: ["0.0.0.0/0", "::/0"],
      keepaliveSec: config.settings.keepaliveSec,
    },
  }));
}

function makeDesired(
  config: TDesiredNodeConfig,
  addressDevice: "lo" | "meshover0" = "lo",
): TDesiredHost {
  return deriveDesiredHost({
    config,
    tunnels: makeTunnels(config),
    publicKey: SELF_KEY,
    addressDevice,
    isFrrManaged: true,
  });
}

const ETH0: TLinkState = {
  name: "eth0",
  kind: "other",
  mtu: 1500,
  isUp: true,
  addresses: ["2001:db8::1/64"],
  wireguard: null,
};

function makeLo(addresses: string[] = []): TLinkState {
  return {
    name: "lo",
    kind: "loopback",
    mtu: 65536,
    isUp: true,
    addresses: ["127.0.0.1/8", "::1/128", ...addresses].sort(),
    wireguard: null,
  };
}

/** The host exactly as `desired` describes it, plus unrelated links. */
function realize(
  desired: TDesiredHost,
  extra: TLinkState[] = [],
): {
  host: THostState;
  owned: TOwnedState;
} {
  const links: TLinkState[] = desired.links.map((link) => ({
    name: link.name,
    kind: link.kind,
    mtu: link.mtu ?? 1500,
    isUp: true,
    addresses: link.addresses,
    wireguard: link.wireguard,
  }));
  links.push(makeLo(desired.hostAddresses.map((a) => a.cidr)), ETH0, ...extra);
  return {
    host: {
      links: links.sort((a, b) => a.name.localeCompare(b.name)),
      sysctls: { ...desired.sysctls, "net.ipv4.conf.eth0.rp_filter": "1" },
      frr: desired.frr,
    },
    owned: { links: desired.links.map((link) => link.name), addresses: desired.hostAddresses },
  };
}

const BASE_HOST: THostState = { links: [ETH0, makeLo()], sysctls: {}, frr: null };
const NO_OWNED: TOwnedState = { links: [], addresses: [] };

function dumpPlan(operations: readonly TOperation[]): string {
  return operations.map(describeOperation).join("\n");
}

const arbPeerIndices = fc.uniqueArray(fc.integer({ min: 2, max: 60 }), { maxLength: 12 });

// A random partial, drifted version of some desired state: what a host may look like after a
// crash, an admin's meddling or an older config.
const arbObserved = fc
  .record({
    indices: arbPeerIndices,
    addressDevice: fc.constantFrom("lo" as const, "meshover0" as const),
    dropLinks: fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
    downLinks: fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
    wrongMtu: fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
    staleKey: fc.boolean(),
    dropSysctls: fc.boolean(),
    hasFrr: fc.boolean(),
    strayUnowned: fc.boolean(),
  })
  .map((drift) => {
    const desired = makeDesired(makeConfig(drift.indices), drift.addressDevice);
    const { host, owned } = realize(desired);
    let position = 0;
    const links = host.links.flatMap((link) => {
      if (!/^mo\d+$|^meshover0$/.test(link.name)) return [link];
      position += 1;
      if (drift.dropLinks[position]) return [];
      return [
        {
          ...link,
          isUp: !drift.downLinks[position],
          mtu: drift.wrongMtu[position] ? 1300 : link.mtu,
          wireguard:
            link.wireguard && drift.staleKey
              ? { ...link.wireguard, publicKey: makeKey(999) }
              : link.wireguard,
        },
      ];
    });
    if (drift.strayUnowned) {
      links.push({ ...ETH0, name: "mo999", addresses: [] });
    }
    return {
      host: {
        links: links.sort((a, b) => a.name.localeCompare(b.name)),
        sysctls: drift.dropSysctls ? {} : host.sysctls,
        frr: drift.hasFrr ? host.frr : null,
      },
      owned,
    };
  });

describe("planHost", () => {
  it("plans a fresh node: create, configure, up, sysctls, routing last", () => {
    const desired = makeDesired(makeConfig([2, 3]));
    const plan = planHost({ observed: BASE_HOST, desired, owned: NO_OWNED });
    expect(plan.conflicts).toEqual([]);
    expect(dumpPlan(plan.operations)).toMatchInlineSnapshot(`
      "link-create mo2 wireguard
      sysctl-set net.ipv6.conf.mo2.addr_gen_mode=1
      link-create mo3 wireguard
      sysctl-set net.ipv6.conf.mo3.addr_gen_mode=1
      wg-set-private-key mo2 pub=c2VsZi1rZXktc2VsZi1rZXktc2VsZi1rZXktc2VsZjA=
      wg-set-listen-port mo2 51822
      wg-set-peer mo2 AAAADwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAKWlpaU= endpoint=[2001:db8::2]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
      link-set-mtu mo2 1420
      address-add mo2 fe80::1/64
      wg-set-private-key mo3 pub=c2VsZi1rZXktc2VsZi1rZXktc2VsZi1rZXktc2VsZjA=
      wg-set-listen-port mo3 51823
      wg-set-peer mo3 AAAAFgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAKWlpaU= endpoint=[2001:db8::3]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
      link-set-mtu mo3 1420
      address-add mo3 fe80::1/64
      address-add lo 10.128.0.1/32
      address-add lo fd00::1/128
      link-set-up mo2
      link-set-up mo3
      sysctl-set net.ipv4.conf.all.rp_filter=0
      sysctl-set net.ipv4.conf.mo2.rp_filter=0
      sysctl-set net.ipv4.conf.mo3.rp_filter=0
      sysctl-set net.ipv4.ip_forward=1
      sysctl-set net.ipv6.conf.all.forwarding=1
      frr-set-base asn=4200000001 router-id=10.128.0.1 v4=10.128.0.1/32,192.168.50.0/24 v6=fd00::1/128 bfd=300x3 policy=6
      frr-add-neighbor mo2
      frr-add-neighbor mo3"
    `);
  });

  it("removes a peer: deletes only after adds, FRR last, keeps unowned links", () => {
    const { host, owned } = realize(makeDesired(makeConfig([2, 3])));
    const plan = planHost({ observed: host, desired: makeDesired(makeConfig([3, 4])), owned });
    expect(dumpPlan(plan.operations)).toMatchInlineSnapshot(`
      "link-create mo4 wireguard
      sysctl-set net.ipv6.conf.mo4.addr_gen_mode=1
      wg-set-private-key mo4 pub=c2VsZi1rZXktc2VsZi1rZXktc2VsZi1rZXktc2VsZjA=
      wg-set-listen-port mo4 51824
      wg-set-peer mo4 AAAAHQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAKWlpaU= endpoint=[2001:db8::4]:51821 allowed=0.0.0.0/0,::/0 keepalive=25
      link-set-mtu mo4 1420
      address-add mo4 fe80::1/64
      link-set-up mo4
      sysctl-set net.ipv4.conf.mo4.rp_filter=0
      link-delete mo2
      frr-add-neighbor mo4
      frr-remove-neighbor mo2"
    `);
  });

  it("never touches a link with meshover's name that meshover did not create", () => {
    const foreign: TLinkState = { ...ETH0, name: "mo2", addresses: [] };
    const observed: THostState = { ...BASE_HOST, links: [ETH0, makeLo(), foreign] };
    const plan = planHost({ observed, desired: makeDesired(makeConfig([2])), owned: NO_OWNED });
    expect(plan.conflicts).toEqual([
      { device: "mo2", reason: "exists but was not created by meshover" },
    ]);
    expect(plan.operations.filter((operation) => getOperationDevice(operation) === "mo2")).toEqual(
      [],
    );
    // Not recorded as ours: not deleted either, even when no longer desired.
    const removal = planHost({ observed, desired: makeDesired(makeConfig([])), owned: NO_OWNED });
    expect(removal.operations.some((operation) => operation.op === "link-delete")).toBe(false);
  });

  it("recreates an owned link of the wrong kind and re-applies its sysctls", () => {
    const desired = makeDesired(makeConfig([2]));
    const { host, owned } = realize(desired);
    const broken: THostState = {
      ...host,
      links: host.links.map((link) =>
        link.name === "mo2" ? { ...link, kind: "other", wireguard: null } : link,
      ),
    };
    const plan = planHost({ observed: broken, desired, owned });
    const dump = dumpPlan(plan.operations);
    expect(dump).toContain("link-delete mo2\nlink-create mo2 wireguard");
    expect(dump).toContain("sysctl-set net.ipv4.conf.mo2.rp_filter=0");
    const after = simulatePlan(broken, owned, plan.operations);
    expect(planHost({ observed: after.host, desired, owned: after.owned }).operations).toEqual([]);
  });

  it("leaves a roamed endpoint alone when the peer offers none", () => {
    const noEndpoint = { ...makeConfig([2]), peers: [{ ...makePeer(2), endpoints: [] }] };
    const desired = makeDesired(noEndpoint);
    const { host, owned } = realize(desired);
    const roamed: THostState = {
      ...host,
      links: host.links.map((link) =>
        link.wireguard
          ? {
              ...link,
              wireguard: {
                ...link.wireguard,
                peers: link.wireguard.peers.map((p) => ({ ...p, endpoint: "[2001:db8::99]:4000" })),
              },
            }
          : link,
      ),
    };
    expect(planHost({ observed: roamed, desired, owned }).operations).toEqual([]);
  });

  it("only removes host addresses it recorded adding", () => {
    const observed: THostState = {
      ...BASE_HOST,
      links: [ETH0, makeLo(["10.128.0.9/32", "10.200.0.1/32"])],
    };
    const owned: TOwnedState = { links: [], addresses: [{ device: "lo", cidr: "10.128.0.9/32" }] };
    const plan = planHost({ observed, desired: makeDesired(makeConfig([])), owned });
    const deletes = plan.operations.filter((operation) => operation.op === "address-delete");
    expect(deletes.map(describeOperation)).toEqual(["address-delete lo 10.128.0.9/32"]);
  });

  it("property: plan(x, x) is empty", () => {
    fc.assert(
      fc.property(
        arbPeerIndices,
        fc.constantFrom("lo" as const, "meshover0" as const),
        (indices, device) => {
          const desired = makeDesired(makeConfig(indices), device);
          const { host, owned } = realize(desired, [{ ...ETH0, name: "mo999" }]);
          const plan = planHost({ observed: host, desired, owned });
          expect(plan.operations).toEqual([]);
          expect(plan.conflicts).toEqual([]);
        },
      ),
    );
  });

  it("property: applying the plan yields the desired state and leaves foreign links alone", () => {
    fc.assert(
      fc.property(
        arbObserved,
        arbPeerIndices,
        fc.constantFrom("lo" as const, "meshover0" as const),
        (start, indices, device) => {
          const desired = makeDesired(makeConfig(indices), device);
          const plan = planHost({ observed: start.host, desired, owned: start.owned });
          const after = simulatePlan(start.host, start.owned, plan.operations);
          expect(
            planHost({ observed: after.host, desired, owned: after.owned }).operations,
          ).toEqual([]);
          const expected = realize(desired);
          // Owned links as desired; a null desired MTU means "any MTU".
          const ours = (links: TLinkState[]) =>
            links.flatMap((link) => {
              const want = desired.links.find((d) => d.name === link.name);
              return want ? [{ ...link, mtu: want.mtu ?? 0 }] : [];
            });
          expect(ours(after.host.links)).toEqual(ours(expected.host.links));
          expect(after.host.frr).toEqual(desired.frr);
          for (const [key, value] of Object.entries(desired.sysctls)) {
            expect(after.host.sysctls[key]).toBe(value);
          }
          // Links meshover does not own come out exactly as they went in.
          const foreignBefore = start.host.links.filter(
            (link) => !start.owned.links.includes(link.name) && link.name !== "lo",
          );
          const foreignNames = new Set(foreignBefore.map((link) => link.name));
          expect(after.host.links.filter((link) => foreignNames.has(link.name))).toEqual(
            foreignBefore,
          );
          // Operation order: phase ranks never decrease.
          const rank = (operation: TOperation): number => {
            if (operation.op.startsWith("frr-")) return 5;
            if (operation.op === "link-create") return 0;
            if (operation.op === "link-set-up") return 2;
            // A new tunnel's addr_gen_mode is set with its creation, before it comes up.
            if (operation.op === "sysctl-set") return operation.isBestEffort ? 0 : 3;
            if (["link-delete", "address-delete", "wg-remove-peer"].includes(operation.op))
              return 4;
            return 1;
          };
          const ranks = plan.operations.map(rank);
          expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        },
      ),
    );
  });

  it("property: a change to one peer yields operations on that peer only", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 2, max: 60 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.constantFrom("endpoint", "key", "remove", "add"),
        (indices, pick, change) => {
          const before = makeConfig(indices);
          const target = indices[pick % indices.length] ?? 2;
          let peers = before.peers;
          let device = `mo${target}`;
          if (change === "endpoint") {
            peers = peers.map((p) =>
              p.index === target ? { ...p, endpoints: ["2001:db8::ffff"] } : p,
            );
          } else if (change === "key") {
            peers = peers.map((p) => (p.index === target ? makePeer(target, 1) : p));
          } else if (change === "remove") {
            peers = peers.filter((p) => p.index !== target);
          } else {
            const fresh = [61, 62, 63].find((i) => !indices.includes(i)) ?? 61;
            peers = [...peers, makePeer(fresh)];
            device = `mo${fresh}`;
          }
          const { host, owned } = realize(makeDesired(before));
          const plan = planHost({
            observed: host,
            desired: makeDesired({ ...before, peers }),
            owned,
          });
          expect(plan.operations.length).toBeGreaterThan(0);
          for (const operation of plan.operations) {
            expect(getOperationDevice(operation)).toBe(device);
          }
        },
      ),
    );
  });
});
