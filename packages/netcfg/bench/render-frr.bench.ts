// FRR config rendering time for a node with 200 peers (target: < 20 ms), and the controller's
// compile time for a 200-node mesh (every node's desired config). Prints figures; not a test.
import { measure } from "./measure";
import { compileNodeConfigs, type TMeshNode } from "../src/compile-node-configs";
import type { TMeshSettings } from "../src/config";
import { deriveFrrConfig } from "../src/derive-frr-config";
import { deriveTunnels } from "../src/derive-tunnels";
import { renderFrrConfig } from "../src/render-frr-config";
import { TEST_MESH_SETTINGS } from "../src/test-fixtures";

const settings: TMeshSettings = TEST_MESH_SETTINGS;

function makeKey(seed: number): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(seed + 1, 0);
  return bytes.toString("base64");
}

function makeMesh(size: number): TMeshNode[] {
  return Array.from({ length: size }, (_, i) => {
    const index = i + 1;
    return {
      id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      name: `node${index}`,
      index,
      asn: 4200000000 + index,
      ipv4: `10.128.${index >> 8}.${index & 255}`,
      ipv6: `fd12:3456:789a::${index.toString(16)}`,
      publicKey: makeKey(index),
      endpoints: [`2001:db8::${index.toString(16)}`, `198.51.100.${index & 255}`],
      // Every node advertises two prefixes, so prefix lists have ~400 entries per family.
      advertisedPrefixes: [
        `172.16.${index}.0/24`,
        `2001:db8:${(0x1000 + index).toString(16)}::/48`,
      ],
      pendingRotationId: null,
    };
  });
}

const format = (ms: number) => `${ms.toFixed(2)} ms`;
const mesh = makeMesh(201);
const configs = compileNodeConfigs({ version: 1, settings, nodes: mesh });
const node = configs[0]!;
console.log(`node with ${node.peers.length} peers, ${mesh.length * 2} mesh prefixes`);

const text = renderFrrConfig(deriveFrrConfig(node));
const render = measure(200, () => renderFrrConfig(deriveFrrConfig(node)));
console.log(
  `FRR config for 200 peers (deriveTunnels + deriveFrrConfig + renderFrrConfig): median ${format(render.median)}, p95 ${format(render.p95)} (target < 20 ms; ${text.split("\n").length} lines)`,
);
const tunnels = deriveTunnels(node);
const model = deriveFrrConfig(node, { tunnels });
const textOnly = measure(200, () => renderFrrConfig(model));
console.log(
  `  of which renderFrrConfig alone: median ${format(textOnly.median)}, p95 ${format(textOnly.p95)}`,
);

const mesh200 = makeMesh(200);
const compile = measure(50, () => compileNodeConfigs({ version: 2, settings, nodes: mesh200 }));
console.log(
  `compileNodeConfigs for a 200-node mesh (200 configs x 199 peers): median ${format(compile.median)}, p95 ${format(compile.p95)}`,
);
