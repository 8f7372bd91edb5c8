import { describe, expect, it } from "vitest";
import { compileNodeConfigs, type TMeshNode } from "@meshover/netcfg";
import { compareObservedMesh } from "./compare-observed-mesh";

const node = (index: number): TMeshNode => ({
  id: `00000000-0000-4000-8000-${index.toString().padStart(12, "0")}`,
  name: `n${index}`,
  index,
  asn: 4200000000 + index,
  ipv4: `10.128.0.${index}`,
  ipv6: `fd00::${index}`,
  publicKey: "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
  endpoints: [`2001:db8::${index}`],
  advertisedPrefixes: [],
  pendingRotationId: null,
});
const [config] = compileNodeConfigs({
  version: 7,
  settings: {
    ipv4Pool: "10.128.0.0/16",
    ipv6Pool: "fd00::/48",
    basePort: 51820,
    underlayMtu: 1500,
    tunnelMtu: null,
    healthIntervalSec: 5,
    keepaliveSec: 25,
    bfd: { intervalMs: 300, multiplier: 3 },
  },
  nodes: [node(1), node(2), node(3)],
});

describe("compareObservedMesh", () => {
  it("finds nothing when every tunnel and neighbour is there", () => {
    const same = { tunnels: ["mo2", "mo3"], bgpNeighbors: ["mo3", "mo2"] };
    expect(compareObservedMesh(config!, same, { hasFrr: true })).toEqual({
      missingTunnels: [],
      extraTunnels: [],
      missingNeighbors: [],
      extraNeighbors: [],
    });
  });

  it("names missing and extra tunnels and neighbours", () => {
    const observed = { tunnels: ["mo2", "mo9"], bgpNeighbors: ["mo2", "mo3", "mo4"] };
    expect(compareObservedMesh(config!, observed, { hasFrr: true })).toEqual({
      missingTunnels: ["mo3"],
      extraTunnels: ["mo9"],
      missingNeighbors: [],
      extraNeighbors: ["mo4"],
    });
  });

  it("expects no neighbours without FRR", () => {
    const observed = { tunnels: ["mo2", "mo3"], bgpNeighbors: [] };
    expect(compareObservedMesh(config!, observed, { hasFrr: false }).missingNeighbors).toEqual([]);
  });
});
