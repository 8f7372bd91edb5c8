// Mesh settings shared by netcfg's tests, benchmarks and fixture scripts (not exported from the package).
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
