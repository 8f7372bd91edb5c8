import { describe, expect, it } from "vitest";
import { compileNodeConfigs, type TMeshNode } from "./compile-node-configs";
import { ZDesiredNodeConfig } from "./config";
import { TEST_MESH_SETTINGS } from "./test-fixtures";
import { NetcfgError } from "./netcfg-error";
import { DEFAULT_NODE_ROUTING, type TNodeRouting } from "./route-sources";

const settings = TEST_MESH_SETTINGS;

const KEYS = [
  "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
  "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
  "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=",
];

function makeNode(index: number, overrides: Partial<TMeshNode> = {}): TMeshNode {
  return {
    id: `00000000-0000-4000-8000-${index.toString().padStart(12, "0")}`,
    name: `node${index}`,
    index,
    asn: 4200000000 + index,
    ipv4: `10.128.0.${index}`,
    ipv6: `fd12:3456:789a::${index.toString(16)}`,
    publicKey: KEYS[(index - 1) % KEYS.length] ?? null,
    endpoints: [`2001:db8::${index}`],
    advertisedPrefixes: [],
    pendingRotationId: null,
    ...overrides,
  };
}

describe("compileNodeConfigs", () => {
  it("gives every node a valid config with every keyed other node as a peer, by index", () => {
    const nodes = [
      makeNode(3),
      makeNode(1, { advertisedPrefixes: ["192.168.50.0/24"] }),
      makeNode(2),
    ];
    const configs = compileNodeConfigs({ version: 7, settings, nodes });
    expect(configs.map((config) => config.self.index)).toEqual([1, 2, 3]);
    for (const config of configs) {
      expect(() => ZDesiredNodeConfig.parse(config)).not.toThrow();
      expect(config.version).toBe(7);
      expect(config.peers.map((peer) => peer.index)).toEqual(
        [1, 2, 3].filter((index) => index !== config.self.index),
      );
    }
    expect(configs[1]?.peers[0]?.advertisedPrefixes).toEqual(["192.168.50.0/24"]);
    expect(configs[0]?.self.advertisedPrefixes).toEqual(["192.168.50.0/24"]);
  });

  it("limits a full mesh's AS paths to a one-node detour, and keeps the mesh settings", () => {
    const configs = compileNodeConfigs({
      version: 1,
      settings,
      nodes: [makeNode(1), makeNode(2), makeNode(3), makeNode(4, { publicKey: null })],
    });
    for (const config of configs) {
      expect(config.settings).toEqual({ ...settings, maxAsPathLength: 2 });
    }
  });

  it("makes a node without a public key nobody's peer, but still configures it", () => {
    const nodes = [makeNode(1), makeNode(2, { publicKey: null }), makeNode(3)];
    const configs = compileNodeConfigs({ version: 1, settings, nodes });
    expect(configs).toHaveLength(3);
    expect(configs[0]?.peers.map((peer) => peer.index)).toEqual([3]);
    expect(configs[1]?.peers.map((peer) => peer.index)).toEqual([1, 3]);
  });

  it("carries a pending rotation", () => {
    const rotationId = "11111111-2222-4333-8444-555555555555";
    const configs = compileNodeConfigs({
      version: 1,
      settings,
      nodes: [makeNode(1, { pendingRotationId: rotationId }), makeNode(2)],
    });
    expect(configs[0]?.rotation).toEqual({ id: rotationId });
    expect(configs[1]?.rotation).toBeNull();
  });

  it("gives each node its routing, and its peers its ranges only while it may originate", () => {
    const range = { prefix: "198.51.100.0/24", maxLength: 32, anycast: true };
    const routing: TNodeRouting = {
      ...DEFAULT_NODE_ROUTING,
      mayOriginate: true,
      allowedRanges: [range],
    };
    const configs = compileNodeConfigs({
      version: 1,
      settings,
      nodes: [
        makeNode(1, { routing }),
        makeNode(2, { routing: { ...routing, mayOriginate: false } }),
        makeNode(3),
      ],
    });
    expect(configs[0]?.routing).toEqual(routing);
    expect(configs[2]?.routing).toEqual(DEFAULT_NODE_ROUTING);
    expect(configs[2]?.peers.map((peer) => peer.allowedRanges)).toEqual([[range], []]);
    for (const config of configs) expect(() => ZDesiredNodeConfig.parse(config)).not.toThrow();
  });

  it("is deterministic whatever the input order", () => {
    const nodes = [1, 2, 3, 4, 5].map((index) => makeNode(index));
    const forward = compileNodeConfigs({ version: 2, settings, nodes });
    const backward = compileNodeConfigs({ version: 2, settings, nodes: [...nodes].reverse() });
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
  });

  it.each([["index"], ["asn"], ["ipv4"], ["ipv6"], ["id"]] as const)(
    "refuses two nodes with the same %s",
    (key) => {
      const first = makeNode(1);
      const second = makeNode(2, { [key]: first[key] });
      expect(() => compileNodeConfigs({ version: 1, settings, nodes: [first, second] })).toThrow(
        NetcfgError,
      );
    },
  );

  it("returns nothing for an empty mesh", () => {
    expect(compileNodeConfigs({ version: 0, settings, nodes: [] })).toEqual([]);
  });
});
