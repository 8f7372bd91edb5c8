// Route sources (#14) with 1,000 /32 VIPs on one node's kube-lb0: the agent's discovery and
// judging time, the FRR config render time and size (VIPs are redistributed, so the config
// does not grow with them; over the cap each refused VIP is one deny line), and the size of the
// report carrying the candidates. Targets: render ≤ 50 ms. Prints figures; not a test.
import { measure } from "./measure";
import { compileNodeConfigs, type TMeshNode } from "../src/compile-node-configs";
import { deriveFrrConfig } from "../src/derive-frr-config";
import { discoverRouteSources, toRouteHostState } from "../src/discover-route-sources";
import { judgeRouteCandidates } from "../src/judge-route-candidates";
import { parseIpAddresses, parseIpRoutes } from "../src/parse-ip-json";
import { renderFrrConfig } from "../src/render-frr-config";
import { DEFAULT_NODE_ROUTING, type TNodeRouting } from "../src/route-sources";
import { TEST_MESH_SETTINGS, makeTestMeshNode } from "../src/test-fixtures";

const VIP_COUNT = 1000;
const PEERS = 50;

const routing = (maxPrefixes: number): TNodeRouting => ({
  ...DEFAULT_NODE_ROUTING,
  mayOriginate: true,
  maxPrefixes,
  sources: { ...DEFAULT_NODE_ROUTING.sources, interfaces: ["kube-lb0"] },
  allowedRanges: [{ prefix: "198.18.0.0/15", maxLength: 32, anycast: true }],
});

function meshWith(selfRouting: TNodeRouting) {
  const nodes: TMeshNode[] = [makeTestMeshNode(1, { routing: selfRouting })];
  for (let index = 2; index <= PEERS + 1; index += 1) {
    nodes.push(makeTestMeshNode(index, { routing: routing(1000) }));
  }
  return compileNodeConfigs({ version: 1, settings: TEST_MESH_SETTINGS, nodes })[0]!;
}

// `ip -json addr show` of a host with 1,000 /32s on kube-lb0, as iproute2 prints it.
const addrText = JSON.stringify([
  {
    ifindex: 1,
    ifname: "lo",
    flags: ["LOOPBACK", "UP", "LOWER_UP"],
    operstate: "UNKNOWN",
    addr_info: [],
  },
  {
    ifindex: 5,
    ifname: "kube-lb0",
    flags: ["BROADCAST", "NOARP", "UP", "LOWER_UP"],
    operstate: "UNKNOWN",
    addr_info: Array.from({ length: VIP_COUNT }, (_, i) => ({
      family: "inet",
      local: `198.18.${i >> 8}.${i & 255}`,
      prefixlen: 32,
      scope: "global",
    })),
  },
]);

function lookOnce(config: ReturnType<typeof meshWith>) {
  const found = discoverRouteSources({
    routing: config.routing,
    links: parseIpAddresses(addrText),
    routes: parseIpRoutes("[]"),
    advertisedPrefixes: [],
  });
  const context = {
    pools: { ipv4Pool: TEST_MESH_SETTINGS.ipv4Pool, ipv6Pool: TEST_MESH_SETTINGS.ipv6Pool },
    underlay: config.peers.flatMap((peer) => peer.endpoints),
  };
  const candidates = judgeRouteCandidates(config.routing, found.routes, context);
  return { found, candidates, host: toRouteHostState(found, candidates, []) };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
for (const cap of [2000, 500]) {
  const config = meshWith(routing(cap));
  const look = measure(30, () => lookOnce(config));
  const { candidates, host } = lookOnce(config);
  const render = measure(50, () => renderFrrConfig(deriveFrrConfig(config, { routeHost: host })));
  const text = renderFrrConfig(deriveFrrConfig(config, { routeHost: host }));
  const report = JSON.stringify(candidates);
  const announced = candidates.filter((c) => c.verdict === "announced").length;
  console.log(
    `${VIP_COUNT} VIPs on kube-lb0, cap ${cap} (${announced} announced), ${PEERS} peers with ranges:`,
  );
  console.log(
    `  discover + judge (agent, per look): median ${fmt(look.median)}, p95 ${fmt(look.p95)}`,
  );
  console.log(
    `  FRR derive + render: median ${fmt(render.median)}, p95 ${fmt(render.p95)} (target ≤ 50 ms); ` +
      `${text.length} bytes, ${text.split("\n").length} lines`,
  );
  console.log(
    `  report routeCandidates: ${report.length} bytes JSON (${Math.round(report.length / candidates.length)} B per candidate)`,
  );
}
