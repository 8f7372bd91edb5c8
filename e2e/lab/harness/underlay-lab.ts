// Mixed underlays for the lab (issue #17): on top of the IPv6 bridge, a per-run IPv4 /24 from
// the benchmarking range 198.18.0.0/15 on the same bridge, and nodes that are dual-stack,
// IPv6-only, IPv4-only, or IPv4 behind NAT: such a node sits behind its own router namespace
// that masquerades it (nftables, outbound only) onto the bridge, with a carrier-grade-NAT style
// address (100.64.<i>.2, RFC 6598) inside. Every address lives in lab namespaces (and the
// bridge); nothing routes to the machine's real interfaces: the bridge's root namespace does not
// forward and the router namespaces have no route beyond the bridge's /24.
import { join } from "node:path";
import { LAB_PREFIX } from "./record-lab";
import { runCommand } from "./run-command";
import { runInNetns, type Lab, type TLabNode } from "./create-lab";
import { REPO_ROOT } from "./lab-env";
import { joinAgent, startAgent } from "./run-agent";
import type { LabMesh } from "./start-mesh";

/** How a lab node reaches the underlay. */
export type TUnderlayKind = "dual" | "ipv6" | "ipv4" | "nat";

/** The IPv4 /24 of run `runId` on the bridge: 198.18.<8 bits from the id>.0/24. */
export function underlayIpv4PrefixOf(runId: string) {
  let hash = 0;
  for (const char of runId) hash = (hash * 33 + char.charCodeAt(0)) % 251;
  return `198.18.${hash + 1}`;
}

/** The bridge's (the controller's) IPv4 address in run `runId`. */
export function controllerIpv4Of(runId: string) {
  return `${underlayIpv4PrefixOf(runId)}.1`;
}

/** IPv4 address of node `index` on the bridge (its own, or its NAT router's). */
export function nodeIpv4Of(runId: string, index: number) {
  return `${underlayIpv4PrefixOf(runId)}.${10 + index}`;
}

/** A node of a mixed-underlay mesh. */
export interface TUnderlayNode {
  kind: TUnderlayKind;
  node: TLabNode;
  /** Underlay addresses the node itself has (what its agent detects and reports). */
  addresses: string[];
}

async function ip(args: readonly string[]) {
  await runCommand(["ip", ...args]);
}

/**
 * Give the bridge its IPv4 address and start a TCP forwarder on it to the controller (which
 * listens on the bridge's IPv6 address only), for the nodes without IPv6. Returns the URL.
 */
export async function addIpv4Controller(mesh: LabMesh) {
  const { lab, controller } = mesh;
  const address = controllerIpv4Of(lab.runId);
  await ip(["addr", "add", `${address}/24`, "dev", lab.bridge]);
  const proc = lab.startOnHost("controller-v4", [
    "node",
    join(REPO_ROOT, "e2e", "lab", "harness", "forward-tcp.mjs"),
    address,
    String(controller.port),
    lab.controllerAddress,
    String(controller.port),
  ]);
  const url = `http://${address}:${controller.port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await fetch(`${url}/api/health`).catch(() => null);
    if (answer?.ok) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`controller not reachable at ${url} (forwarder pid ${proc.pid})`);
}

/**
 * Add node `index` with underlay `kind`, join it (the agent detects its own underlay addresses:
 * no `--endpoint`) and start its agent. Nodes without IPv6 join through `ipv4Url`.
 */
export async function addUnderlayMember(
  mesh: LabMesh,
  index: number,
  kind: TUnderlayKind,
  token: string,
  ipv4Url: string,
): Promise<TUnderlayNode> {
  const lab = mesh.lab;
  const node = await lab.addNode(index);
  const v4 = nodeIpv4Of(lab.runId, index);
  const addresses: string[] = [];
  if (kind === "dual" || kind === "ipv6") addresses.push(node.underlayAddress);
  if (kind === "ipv4" || kind === "nat") {
    await ip(["-n", node.netns, "-6", "addr", "flush", "dev", node.underlayIf, "scope", "global"]);
  }
  if (kind === "dual" || kind === "ipv4") {
    await ip(["-n", node.netns, "addr", "add", `${v4}/24`, "dev", node.underlayIf]);
    addresses.push(v4);
  }
  if (kind === "nat") addresses.push(await putBehindNat(lab, node, v4));
  await joinAgent(lab, node, mesh.controller, token, {
    controllerUrl: kind === "ipv4" || kind === "nat" ? ipv4Url : undefined,
    isEndpointDetected: true,
  });
  startAgent(lab, node);
  return { kind, node, addresses };
}

/**
 * Move node's underlay behind a router namespace: the node's bridge-side veth end goes into the
 * router (as its inside interface, 100.64.<i>.1/24), the router gets its own veth onto the
 * bridge with `outside` (198.18.x.y/24) and masquerades the node there; new connections from
 * the bridge side are dropped (outbound only, like a home router without port forwards).
 * Returns the node's inside address.
 */
async function putBehindNat(lab: Lab, node: TLabNode, outside: string) {
  const i = node.index;
  const router = `${LAB_PREFIX}${lab.runId}-r${i}`;
  const routerHost = `${LAB_PREFIX}${lab.runId}-x${i}`;
  const routerOut = `${LAB_PREFIX}${lab.runId}-o${i}`;
  lab.record.netns.push(router);
  lab.record.links.push(routerHost);
  lab.save();
  await ip(["netns", "add", router]);
  await ip(["-n", router, "link", "set", "lo", "up"]);
  await ip(["link", "add", routerHost, "type", "veth", "peer", "name", routerOut, "netns", router]);
  await runCommand(["sysctl", "-q", "-w", `net.ipv6.conf.${routerHost}.disable_ipv6=1`]);
  await ip(["link", "set", routerHost, "master", lab.bridge, "up"]);
  await runInNetns(router, ["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"]);
  await ip(["-n", router, "addr", "add", `${outside}/24`, "dev", routerOut]);
  await ip(["-n", router, "link", "set", routerOut, "up"]);
  // The node's old bridge port becomes the router's inside interface.
  await ip(["link", "set", node.hostIf, "nomaster"]);
  await ip(["link", "set", node.hostIf, "netns", router]);
  const inside = `100.64.${i}`;
  await ip(["-n", router, "addr", "add", `${inside}.1/24`, "dev", node.hostIf]);
  await ip(["-n", router, "link", "set", node.hostIf, "up"]);
  await ip(["-n", node.netns, "addr", "add", `${inside}.2/24`, "dev", node.underlayIf]);
  await ip(["-n", node.netns, "route", "add", "default", "via", `${inside}.1`]);
  await runInNetns(router, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
  const rules = [
    "table ip molab {",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    oifname "${routerOut}" masquerade`,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy drop;",
    `    iifname "${node.hostIf}" oifname "${routerOut}" accept`,
    "    ct state established,related accept",
    "  }",
    "}",
  ].join("\n");
  await runInNetns(router, ["nft", "-f", "-"], { input: rules });
  return `${inside}.2`;
}

/** The tunnel interfaces (WireGuard devices) a member has, as peer indexes, sorted. */
export function tunnelPeerIndexes(devices: Iterable<string>) {
  return [...devices].map((name) => Number(name.slice(2))).sort((a, b) => a - b);
}
