// Beyond a full mesh (issue #17): a 1,000-node mesh compiled as a full mesh, as hub-and-spoke
// (spokes peer only with H hubs), and as a full mesh with mixed underlays (NAT, IPv4-only,
// IPv6-only nodes, so some pairs are left out). Prints compile time, tunnels and BGP sessions,
// and the per-node desired config and FRR config (size, derive+render time) of a hub and of a
// spoke. Config push p99 over real HTTP/SSE is the controller bench with BENCH_AGENTS=1000 and
// BENCH_HUBS (packages/api/bench/controller.bench.ts). Prints figures; not a test.
/* eslint-disable no-restricted-properties -- a benchmark script takes its sizes from the environment */
import { performance } from "node:perf_hooks";
import { compileMesh, type TMeshNode } from "../src/compile-node-configs";
import type { TDesiredNodeConfig } from "../src/config";
import { deriveFrrConfig } from "../src/derive-frr-config";
import { deriveTunnels } from "../src/derive-tunnels";
import { renderFrrConfig } from "../src/render-frr-config";
import { TEST_MESH_SETTINGS, makeTestMeshNode } from "../src/test-fixtures";

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const HUBS = Number(process.env.BENCH_HUBS ?? 4);

/** Node i's underlay: dual-stack, or (mixed) every 10th NATed, IPv4-only or IPv6-only. */
function endpointsOf(index: number, isMixed: boolean): string[] {
  const v6 = `2001:db8::${index.toString(16)}`;
  const v4 = `198.18.${index >> 8}.${index & 255}`;
  if (!isMixed || index <= HUBS) return [v6, v4];
  if (index % 10 === 1) return [`100.64.${index >> 8}.${index & 255}`];
  if (index % 10 === 2) return [v4];
  if (index % 10 === 3) return [v6];
  return [v6, v4];
}

function makeMesh(options: { hubs: number; isMixed: boolean }): TMeshNode[] {
  return Array.from({ length: NODES }, (_, i) => {
    const index = i + 1;
    const key = Buffer.alloc(32);
    key.writeUInt32BE(index, 0);
    return makeTestMeshNode(index, {
      ipv4: `10.128.${index >> 8}.${index & 255}`,
      publicKey: key.toString("base64"),
      endpoints: endpointsOf(index, options.isMixed),
      advertisedPrefixes: [`172.16.${index >> 8}.${index & 255}/32`],
      isHub: index <= options.hubs,
    });
  });
}

function median(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function time<T>(runs: number, work: () => T): { ms: number; value: T } {
  let value = work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    value = work();
    times.push(performance.now() - start);
  }
  return { ms: median(times), value };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function describeNode(label: string, config: TDesiredNodeConfig) {
  const render = time(5, () =>
    renderFrrConfig(deriveFrrConfig(config, { tunnels: deriveTunnels(config) })),
  );
  const json = Buffer.byteLength(JSON.stringify(config));
  return `  ${label}: ${config.peers.length} tunnels/BGP sessions, desired config ${kb(json)}, FRR config ${kb(Buffer.byteLength(render.value))} (derive+render ${render.ms.toFixed(1)} ms)`;
}

for (const variant of [
  { name: "full mesh", hubs: 0, isMixed: false },
  { name: `hub-and-spoke (${HUBS} hubs)`, hubs: HUBS, isMixed: false },
  {
    name: "full mesh, mixed underlays (10% NAT, 10% IPv4-only, 10% IPv6-only)",
    hubs: 0,
    isMixed: true,
  },
]) {
  const nodes = makeMesh(variant);
  const compiled = time(3, () => compileMesh({ version: 1, settings: TEST_MESH_SETTINGS, nodes }));
  const { configs, skippedPairs } = compiled.value;
  const sessions = configs.reduce((sum, config) => sum + config.peers.length, 0) / 2;
  const bytes = configs.reduce((sum, config) => sum + Buffer.byteLength(JSON.stringify(config)), 0);
  console.log(
    `${NODES} nodes, ${variant.name}: compile ${compiled.ms.toFixed(0)} ms (median of 3), ` +
      `${sessions} tunnels (= BGP sessions), ${skippedPairs.length} pairs left out, ` +
      `all desired configs ${(bytes / 1e6).toFixed(1)} MB`,
  );
  const hub = configs[0]!;
  const spoke = configs.at(-1)!;
  console.log(describeNode(variant.hubs > 0 ? "hub node" : "node 1", hub));
  if (variant.hubs > 0 || variant.isMixed) console.log(describeNode(`node ${NODES}`, spoke));
}
