import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileMesh, type TMeshNode } from "./compile-node-configs";
import { ZDesiredNodeConfig, ZDesiredNodeConfigDelta, ZNodeConfigUpdate } from "./config";
import {
  applyConfigDelta,
  diffNodeConfigs,
  diffPeerLists,
  makeConfigDelta,
} from "./diff-node-config";
import { NetcfgError } from "./netcfg-error";
import { TEST_MESH_SETTINGS } from "./test-fixtures";
import { DEFAULT_NODE_ROUTING } from "./route-sources";

const KEYS = [
  "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
  "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
  "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=",
];

const nodeId = (index: number) => `00000000-0000-4000-8000-${index.toString().padStart(12, "0")}`;

/** A node at `index` whose mutable fields come from `variant` (same id across versions). */
const nodeArb = (index: number) =>
  fc
    .record({
      key: fc.constantFrom(null, ...KEYS),
      endpoint: fc.integer({ min: 1, max: 3 }),
      prefixes: fc.subarray(["192.168.50.0/24", "10.77.0.0/16", "fd00:77::/48"]),
      name: fc.constantFrom("a", "b"),
      rotation: fc.boolean(),
      mayOriginate: fc.boolean(),
      ranges: fc.subarray(["198.51.100.0/24", "10.60.0.0/16"]),
    })
    .map((variant): TMeshNode => ({
      id: nodeId(index),
      name: `node${index}${variant.name}`,
      index,
      asn: 4200000000 + index,
      ipv4: `10.128.0.${index}`,
      ipv6: `fd12:3456:789a::${index.toString(16)}`,
      publicKey: variant.key,
      endpoints: [`2001:db8::${variant.endpoint}`],
      advertisedPrefixes: variant.prefixes,
      pendingRotationId: variant.rotation ? "00000000-0000-4000-9000-000000000001" : null,
      routing: {
        ...DEFAULT_NODE_ROUTING,
        mayOriginate: variant.mayOriginate,
        allowedRanges: variant.ranges.map((prefix) => ({ prefix, maxLength: 32, anycast: false })),
      },
    }));

/** A mesh: some of the indices 1..10 present, each node in some variant. */
const meshArb = fc
  .array(fc.option(fc.integer({ min: 1, max: 10 }).chain(nodeArb), { nil: undefined }), {
    maxLength: 10,
  })
  .map((nodes) => {
    const byIndex = new Map<number, TMeshNode>();
    for (const node of nodes) if (node) byIndex.set(node.index, node);
    return [...byIndex.values()];
  });

/** A plain keyed node at `index`. */
function makeNode(index: number): TMeshNode {
  return {
    id: nodeId(index),
    name: `node${index}`,
    index,
    asn: 4200000000 + index,
    ipv4: `10.128.0.${index}`,
    ipv6: `fd12:3456:789a::${index}`,
    publicKey: KEYS[index % KEYS.length] ?? null,
    endpoints: [`2001:db8::${index}`],
    advertisedPrefixes: [],
    pendingRotationId: null,
  };
}

describe("config deltas", () => {
  it("applying the delta of any two mesh versions to the older config gives the newer one", () => {
    fc.assert(
      fc.property(meshArb, meshArb, (before, after) => {
        const base = compileMesh({ version: 1, settings: TEST_MESH_SETTINGS, nodes: before });
        const next = compileMesh({ version: 2, settings: TEST_MESH_SETTINGS, nodes: after });
        const meshDiff = diffPeerLists(base.peers, next.peers);
        for (const config of next.configs) {
          const old = base.configs.find((candidate) => candidate.self.id === config.self.id);
          if (!old) continue;
          const delta = makeConfigDelta(old.version, config, meshDiff);
          expect(ZDesiredNodeConfigDelta.parse(delta)).toEqual(delta);
          const applied = applyConfigDelta(old, delta);
          expect(applied).toEqual(config);
          expect(ZDesiredNodeConfig.parse(applied)).toEqual(config);
        }
      }),
    );
  });

  it("a change to one node sends that one peer to everybody else, and nothing unchanged", () => {
    const nodes = [1, 2, 3, 4].map(makeNode);
    const base = compileMesh({ version: 5, settings: TEST_MESH_SETTINGS, nodes });
    const changed = nodes.map((node) =>
      node.index === 3 ? { ...node, advertisedPrefixes: ["192.168.9.0/24"] } : node,
    );
    const next = compileMesh({ version: 6, settings: TEST_MESH_SETTINGS, nodes: changed });
    const meshDiff = diffPeerLists(base.peers, next.peers);
    expect(meshDiff.upsertPeers.map((peer) => peer.index)).toEqual([3]);
    expect(meshDiff.removePeerIds).toEqual([]);
    const toNode1 = makeConfigDelta(5, next.configs[0]!, meshDiff);
    expect(toNode1.upsertPeers.map((peer) => peer.advertisedPrefixes)).toEqual([
      ["192.168.9.0/24"],
    ]);
    // Node 3 learns about itself through `self`, never as a peer.
    const toNode3 = makeConfigDelta(5, next.configs[2]!, meshDiff);
    expect(toNode3.upsertPeers).toEqual([]);
    expect(toNode3.self.advertisedPrefixes).toEqual(["192.168.9.0/24"]);
    // A full config and a delta both parse as a stream event; a delta is not a full config.
    expect(ZNodeConfigUpdate.parse(toNode1)).toEqual(toNode1);
    expect(ZNodeConfigUpdate.parse(next.configs[0])).toEqual(next.configs[0]);
    expect(ZDesiredNodeConfig.safeParse(toNode1).success).toBe(false);
  });

  it("refuses a delta made against another version or for another node", () => {
    const nodes = [1, 2].map(makeNode);
    const v1 = compileMesh({ version: 1, settings: TEST_MESH_SETTINGS, nodes }).configs;
    const v2 = compileMesh({ version: 2, settings: TEST_MESH_SETTINGS, nodes }).configs;
    const v3 = compileMesh({ version: 3, settings: TEST_MESH_SETTINGS, nodes }).configs;
    const delta = diffNodeConfigs(v2[0]!, v3[0]!);
    expect(() => applyConfigDelta(v1[0]!, delta)).toThrow(NetcfgError);
    expect(() => applyConfigDelta(v1[0]!, delta)).toThrow(/against version 2/);
    expect(() => applyConfigDelta({ ...v2[1]! }, delta)).toThrow(/another node/);
    expect(applyConfigDelta(v2[0]!, delta)).toEqual(v3[0]);
  });
});
