// Mesh settings shared by the agent's tests and benchmark configs.
import type { TMeshSettings } from "@meshover/netcfg";

/** Default mesh settings (10.128.0.0/16, fd00::/48, base port 51820, BFD 300 ms × 3). */
export const TEST_MESH_SETTINGS: TMeshSettings = {
  ipv4Pool: "10.128.0.0/16",
  ipv6Pool: "fd00::/48",
  basePort: 51820,
  underlayMtu: 1500,
  tunnelMtu: null,
  healthIntervalSec: 5,
  keepaliveSec: 25,
  bfd: { intervalMs: 300, multiplier: 3 },
};
