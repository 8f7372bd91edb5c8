// Plan computation time for a node with 50 and 200 peers (target: < 20 ms at 200 peers).
// Prints figures; not a timed test.
import { performance } from "node:perf_hooks";
import type { TDesiredNodeConfig } from "../src/config";
import {
  deriveDesiredHost,
  formatEndpoint,
  planHost,
  type TDesiredHost,
  type THostState,
  type TPlanTunnel,
} from "../src/plan";
import { TEST_MESH_SETTINGS } from "../src/test-fixtures";
import { DEFAULT_NODE_ROUTING } from "../src/route-sources";

function makeKey(seed: number): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(seed + 1, 0);
  return bytes.toString("base64");
}

function makeDesired(peerCount: number, endpointVariant: number): TDesiredHost {
  const config: TDesiredNodeConfig = {
    version: 1,
    self: {
      id: "00000000-0000-4000-8000-000000000000",
      name: "self",
      index: 1,
      asn: 4200000001,
      ipv4: "10.128.0.1",
      ipv6: "fd00::1",
      advertisedPrefixes: ["192.168.50.0/24"],
    },
    peers: Array.from({ length: peerCount }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i + 2).padStart(12, "0")}`,
      name: `node${i + 2}`,
      index: i + 2,
      asn: 4200000002 + i,
      ipv4: `10.128.${(i + 2) >> 8}.${(i + 2) & 255}`,
      ipv6: `fd00::${(i + 2).toString(16)}`,
      advertisedPrefixes: [],
      publicKey: makeKey(i),
      endpoints: [`2001:db8::${(i + 2 + (i === 0 ? endpointVariant : 0)).toString(16)}`],
      allowedRanges: [],
    })),
    settings: { ...TEST_MESH_SETTINGS, ipv6Pool: "fd00::/48" },
    rotation: null,
    routing: DEFAULT_NODE_ROUTING,
  };
  const tunnels: TPlanTunnel[] = config.peers.map((peer) => ({
    device: `mo${peer.index}`,
    listenPort: 51820 + peer.index,
    mtu: 1420,
    addresses: ["fe80::1/64"],
    peer: {
      publicKey: peer.publicKey,
      endpoint: formatEndpoint(peer.endpoints[0] ?? "::1", 51821),
      allowedIps: ["0.0.0.0/0", "::/0"],
      keepaliveSec: 25,
    },
  }));
  return deriveDesiredHost({
    config,
    tunnels,
    publicKey: makeKey(100000),
    addressDevice: "lo",
    isFrrManaged: true,
  });
}

function realize(desired: TDesiredHost): THostState {
  return {
    links: [
      ...desired.links.map((link) => ({
        name: link.name,
        kind: link.kind,
        mtu: link.mtu ?? 1500,
        isUp: true,
        addresses: link.addresses,
        wireguard: link.wireguard,
      })),
      {
        name: "lo",
        kind: "loopback" as const,
        mtu: 65536,
        isUp: true,
        addresses: desired.hostAddresses.map((a) => a.cidr),
        wireguard: null,
      },
    ],
    sysctls: desired.sysctls,
    frr: desired.frr,
  };
}

function measure(label: string, run: () => unknown): void {
  for (let i = 0; i < 20; i += 1) run();
  const samples: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] ?? 0;
  const p95 = samples[Math.floor(samples.length * 0.95)] ?? 0;
  console.log(`${label.padEnd(44)} median ${median.toFixed(3)} ms  p95 ${p95.toFixed(3)} ms`);
}

for (const peers of [50, 200]) {
  const desired = makeDesired(peers, 0);
  const changed = makeDesired(peers, 7);
  const host = realize(desired);
  const owned = { links: desired.links.map((l) => l.name), addresses: desired.hostAddresses };
  const empty: THostState = { links: [], sysctls: {}, frr: null };
  measure(`plan ${peers} peers, converged (no-op)`, () =>
    planHost({ observed: host, desired, owned }),
  );
  measure(`plan ${peers} peers, one peer changed`, () =>
    planHost({ observed: host, desired: changed, owned }),
  );
  measure(`plan ${peers} peers, from empty host`, () =>
    planHost({ observed: empty, desired, owned: { links: [], addresses: [] } }),
  );
  measure(`derive desired host + plan, ${peers} peers`, () =>
    planHost({ observed: host, desired: makeDesired(peers, 7), owned }),
  );
}
