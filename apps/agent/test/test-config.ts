// Mesh settings and peers shared by the agent's tests and benchmark configs.
import {
  DEFAULT_NODE_ROUTING,
  type TDesiredNodeConfig,
  type TMeshSettings,
  type TNodeIdentity,
  type TPeerConfig,
} from "@meshover/netcfg";

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

/** A WireGuard-shaped key (32 bytes, base64) that differs per seed. */
export function makeTestKey(seed: number): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(seed + 1, 0);
  return bytes.toString("base64");
}

/** Identity of the test mesh's node `index` (id, addresses and ASN derived from the index). */
export function makeTestIdentity(index: number): TNodeIdentity {
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    name: `node${index}`,
    index,
    asn: 4200000000 + index,
    ipv4: `10.128.0.${index}`,
    ipv6: `fd00::${index}`,
    advertisedPrefixes: [],
  };
}

/** Peer `index` of the test mesh. */
export function makeTestPeer(index: number, endpoint = `2001:db8::${index}`): TPeerConfig {
  return {
    ...makeTestIdentity(index),
    publicKey: makeTestKey(index),
    endpoints: [endpoint],
    allowedRanges: [],
  };
}

/** The config node `index` (1 unless given) of the test mesh gets, with these peers. */
export function makeTestConfig(
  peers: TPeerConfig[] = [],
  options: { version?: number; index?: number; settings?: TMeshSettings } = {},
): TDesiredNodeConfig {
  return {
    version: options.version ?? 1,
    self: makeTestIdentity(options.index ?? 1),
    peers,
    settings: options.settings ?? TEST_MESH_SETTINGS,
    rotation: null,
    routing: DEFAULT_NODE_ROUTING,
  };
}
