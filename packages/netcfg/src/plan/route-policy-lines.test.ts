import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileNodeConfigs } from "../compile-node-configs";
import { DEFAULT_NODE_ROUTING } from "../route-sources";
import { ROUTE_RANGES, SOURCES_HOST, SOURCES_ROUTING } from "../route-sources-fixtures";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "../test-fixtures";
import { deriveFrrState } from "./derive-desired-host";
import { parseFrrRunningConfig } from "./parse-frr-running-config";

// FRR 8.4.4's `show running-config` after loading testdata/frr-route-sources.golden
// (fixtures/load-frr-config.sh): FRR reorders lines and leaves default `activate`s out.
const LIVE = readFileSync(
  join(import.meta.dirname, "..", "..", "fixtures", "vtysh-running-config-route-sources.txt"),
  "utf8",
);

function sourcesConfig(routing = SOURCES_ROUTING) {
  return compileNodeConfigs({
    version: 1,
    settings: TEST_MESH_SETTINGS,
    nodes: [
      makeTestMeshNode(1, { routing }),
      makeTestMeshNode(2, {
        routing: {
          ...DEFAULT_NODE_ROUTING,
          mayOriginate: true,
          allowedRanges: [
            ROUTE_RANGES[0]!,
            { prefix: "10.0.2.0/24", maxLength: 24, anycast: false },
          ],
        },
      }),
      makeTestMeshNode(3),
    ],
  })[0]!;
}

describe("route-source lines in the FRR plan", () => {
  const desired = deriveFrrState(sourcesConfig(), ["mo2", "mo3"], SOURCES_HOST);
  const observed = parseFrrRunningConfig(LIVE)!;

  it("a node whose FRR runs the rendered config plans no change (same policy and networks)", () => {
    expect(observed.policy).toEqual(desired.policy);
    expect(observed.ipv4Networks).toEqual(desired.ipv4Networks);
    expect(observed.ipv6Networks).toEqual(desired.ipv6Networks);
    expect(observed.policy).toContain(
      "route-map MO-SRC-CONNECTED-V4 permit 10: match interface kube-lb0",
    );
    expect(observed.policy).toContain("bgp: bgp listen range 10.201.1.0/24 peer-group MO-SPK-1");
    expect(observed.ipv4Networks).toContain("10.0.1.0/24");
  });

  it("a new interface, pod CIDR or refused prefix changes what is compared", () => {
    const withBridge = deriveFrrState(sourcesConfig(), ["mo2", "mo3"], {
      ...SOURCES_HOST,
      interfaceNames: [...SOURCES_HOST.interfaceNames, "vmbr3"],
    });
    expect(withBridge.policy).not.toEqual(desired.policy);
    const noPods = deriveFrrState(sourcesConfig(), ["mo2", "mo3"], {
      ...SOURCES_HOST,
      podCidrs: [],
    });
    expect(noPods.ipv4Networks).not.toContain("10.0.1.0/24");
    const refused = deriveFrrState(sourcesConfig(), ["mo2", "mo3"], {
      ...SOURCES_HOST,
      refusedPrefixes: [],
    });
    expect(refused.policy).not.toEqual(desired.policy);
  });
});
