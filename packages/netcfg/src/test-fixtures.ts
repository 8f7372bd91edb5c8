// Mesh settings shared by netcfg's tests, benchmarks and fixture scripts (not exported from the package).
import type { TMeshNode } from "./compile-node-configs";
import type { TMeshSettings } from "./config";

/** Default mesh settings with a fixed ULA pool, so golden files stay stable. */
export const TEST_MESH_SETTINGS: TMeshSettings = {
  ipv4Pool: "10.128.0.0/16",
  ipv6Pool: "fd12:3456:789a::/48",
  basePort: 51820,
  underlayMtu: 1500,
  tunnelMtu: null,
  healthIntervalSec: 5,
  keepaliveSec: 25,
  bfd: { intervalMs: 300, multiplier: 3 },
};

/** Node `index` of the test mesh (addresses from TEST_MESH_SETTINGS' pools, one fixed key). */
export function makeTestMeshNode(index: number, overrides: Partial<TMeshNode> = {}): TMeshNode {
  return {
    id: `00000000-0000-4000-8000-${index.toString().padStart(12, "0")}`,
    name: `node${index}`,
    index,
    asn: 4200000000 + index,
    ipv4: `10.128.0.${index}`,
    ipv6: `fd12:3456:789a::${index.toString(16)}`,
    publicKey: "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
    endpoints: [`2001:db8::${index}`],
    advertisedPrefixes: [],
    pendingRotationId: null,
    ...overrides,
  };
}
