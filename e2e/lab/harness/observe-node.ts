// What the lab reads from a node: FRR's JSON (BGP neighbours, BFD peers, routes), WireGuard's
// dump, the kernel's links and routes, and pings. Reads only; nothing here changes a node.
import {
  parseBfdPeers,
  parseBgpNeighbors,
  parseWgDump,
  type TBfdPeer,
  type TBgpNeighbor,
  type TWgDevice,
} from "@meshover/netcfg";
import { VtyClient } from "../../../apps/agent/src/frr/vty-client";
import { nodeEnter, runInNetns, type Lab, type TLabNode, type TNodeRef } from "./create-lab";
import { runCommand, runJson } from "./run-command";

/** FRR path space per node, when the agent runs FRR with `-N` (null: default paths). */
const pathspaces = new WeakMap<TNodeRef, string>();

/** Tell the lab which FRR path space (`-N`) node's FRR uses. */
export function setFrrPathspace(node: TNodeRef, pathspace: string | null) {
  if (pathspace) pathspaces.set(node, pathspace);
  else pathspaces.delete(node);
}

/** Run one vtysh command on node's FRR. */
export async function vtysh(node: TNodeRef, command: string) {
  const pathspace = pathspaces.get(node);
  const argv = [
    ...nodeEnter(node),
    "vtysh",
    ...(pathspace ? ["-N", pathspace] : []),
    "-c",
    command,
  ];
  const { stdout } = await runCommand(argv, { timeoutMs: 10_000 });
  return stdout;
}

/** The AS paths bgpd holds for each IPv4 prefix (`show bgp ipv4 unicast json`; "" = own). */
export async function readBgpPaths(node: TNodeRef): Promise<Map<string, string[]>> {
  const json = JSON.parse(await vtysh(node, "show bgp ipv4 unicast json")) as {
    routes?: Record<string, { path: string }[]>;
  };
  return new Map(
    Object.entries(json.routes ?? {}).map(([prefix, paths]) => [prefix, paths.map((p) => p.path)]),
  );
}

/** One vty connection per node's FRR daemons (see `readBgpNeighbors`). */
const vtyClients = new WeakMap<TNodeRef, VtyClient>();

/**
 * `show bgp neighbors json` straight from bgpd's vty socket, reached through the node's mount
 * namespace (`/proc/<holder>/root`), as the agent reads it: a vtysh process costs ~30–40 ms of
 * CPU before it asks anything, and a sampler reading 8 nodes every 150 ms that way took a core
 * of the two from the mesh it measures. Null while the node's FRR has no path space.
 */
function showOverVty(node: TNodeRef, command: string): Promise<string> | null {
  const pathspace = pathspaces.get(node);
  if (!pathspace) return null;
  let client = vtyClients.get(node);
  if (!client) {
    client = new VtyClient(`/proc/${node.holder.pid}/root/run/frr/${pathspace}`);
    vtyClients.set(node, client);
  }
  return client.show("bgpd", command);
}

/** Close the vty connections to node's FRR (when the node or its FRR stops). */
export function closeVty(node: TNodeRef) {
  vtyClients.get(node)?.close();
  vtyClients.delete(node);
}

/**
 * BGP neighbours of node from `show bgp neighbors json`, by name, through netcfg's parser (the
 * agent's own): `connectionsEstablished` unchanged means the session never reset. With
 * `isOverVty` (a sampler reading often) it asks bgpd's socket instead of running vtysh.
 */
export async function readBgpNeighbors(
  node: TNodeRef,
  { isOverVty = false }: { isOverVty?: boolean } = {},
): Promise<Map<string, TBgpNeighbor>> {
  const command = "show bgp neighbors json";
  const text = (isOverVty ? showOverVty(node, command) : null) ?? vtysh(node, command);
  const neighbors = parseBgpNeighbors(await text);
  return new Map(neighbors.map((neighbor) => [neighbor.name, neighbor]));
}

/** BFD peers of node from `show bfd peers json`. */
export async function readBfdPeers(node: TNodeRef): Promise<TBfdPeer[]> {
  return parseBfdPeers(await vtysh(node, "show bfd peers json"));
}

/** node's WireGuard interfaces by name (in its mount namespace, so wireguard-go sockets are its own). */
export async function readWireguard(node: TNodeRef): Promise<Map<string, TWgDevice>> {
  const devices = parseWgDump(await dumpWireguard(node));
  return new Map(devices.map((device) => [device.name, device]));
}

/** A tunnel's WireGuard state in a few words: its last handshake, or that there is none. */
export function describeHandshake(device: TWgDevice | undefined, nowSec = Date.now() / 1000) {
  const peer = device?.peers[0];
  if (!device) return "no tunnel";
  if (peer?.latestHandshakeSec == null) return "never shook hands";
  return `handshake ${Math.round(nowSec - peer.latestHandshakeSec)} s ago, rx ${peer.rxBytes} B`;
}

/** The raw `wg show all dump` of node (for artifacts). */
export async function dumpWireguard(node: TNodeRef) {
  return (await runCommand([...nodeEnter(node), "wg", "show", "all", "dump"])).stdout;
}

/** A link as `ip -json link` shows it. */
export interface TIpLink {
  ifname: string;
  mtu: number;
  operstate: string;
  link_type?: string;
}

/** node's links from `ip -json link`. */
export async function readLinks(node: TNodeRef) {
  return runJson<TIpLink[]>(["ip", "-n", node.netns, "-json", "link", "show"]);
}

/** Whether node's kernel has a route to `destination` other than an unreachable/default one. */
export async function hasRoute(node: TNodeRef, destination: string) {
  const family = destination.includes(":") ? "-6" : "-4";
  const routes = await runJson<{ dst: string; type?: string }[]>([
    "ip",
    "-n",
    node.netns,
    family,
    "-json",
    "route",
    "show",
    "match",
    destination,
  ]);
  return routes.some((route) => route.dst !== "default" && (route.type ?? "unicast") === "unicast");
}

/** Options for {@link ping}. */
export interface TPingOptions {
  /** Source address (the node's overlay address), so replies come back over the mesh. */
  source?: string;
  count?: number;
  /** Seconds between probes (root may go to 0.002). */
  intervalSec?: number;
  /** Seconds to wait for a reply (per probe when count is 1). */
  waitSec?: number;
  /** ICMP payload size. */
  size?: number;
  /** Set Don't Fragment (`-M do`): a probe larger than the path MTU fails instead of fragmenting. */
  isDontFragment?: boolean;
  /** Give up after this many seconds in total (`-w`). */
  deadlineSec?: number;
  /** Print every reply with its time (`-D`, no `-q`), so the caller can tell which went missing. */
  isPerProbe?: boolean;
}

/** Result of one ping run. */
export interface TPingResult {
  sent: number;
  received: number;
  isOk: boolean;
  output: string;
}

/** Ping `target` from inside `netns`; never throws on loss (that is the measurement). */
export async function ping(netns: string, target: string, options: TPingOptions = {}) {
  const argv = ["ping", "-n", options.isPerProbe ? "-D" : "-q", "-c", String(options.count ?? 1)];
  if (options.intervalSec !== undefined) argv.push("-i", String(options.intervalSec));
  argv.push("-W", String(options.waitSec ?? 1));
  if (options.deadlineSec !== undefined) argv.push("-w", String(options.deadlineSec));
  if (options.source) argv.push("-I", options.source);
  if (options.size !== undefined) argv.push("-s", String(options.size));
  if (options.isDontFragment) argv.push("-M", "do");
  argv.push(target);
  const timeoutMs =
    ((options.deadlineSec ?? 0) +
      (options.count ?? 1) * ((options.intervalSec ?? 1) + (options.waitSec ?? 1)) +
      10) *
    1000;
  const { code, stdout, stderr } = await runInNetns(netns, argv, {
    allowFailure: true,
    timeoutMs,
  });
  const match = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(stdout);
  const sent = Number(match?.[1] ?? 0);
  const received = Number(match?.[2] ?? 0);
  return {
    sent,
    received,
    isOk: code === 0 && sent > 0 && received === sent,
    output: stdout + stderr,
  };
}

/** Run `tasks` with at most `limit` at a time (2 cores: spawning 60 pings at once only hurts). */
export async function runLimited<T>(tasks: (() => Promise<T>)[], limit = 8): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Everything worth saving about a node when a test fails. */
export async function collectNodeDumps(lab: Lab, node: TLabNode) {
  const dumps: Record<string, string> = {};
  const grab = async (file: string, read: () => Promise<string>) => {
    try {
      dumps[file] = await read();
    } catch (error) {
      dumps[file] = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  await grab("wg-dump.txt", () => dumpWireguard(node));
  for (const [file, command] of [
    ["bgp-summary.json", "show bgp summary json"],
    ["bgp-neighbors.json", "show bgp neighbors json"],
    ["bfd-peers.json", "show bfd peers json"],
    ["ip-route.json", "show ip route json"],
    ["ipv6-route.json", "show ipv6 route json"],
    ["running-config.txt", "show running-config"],
  ] as const) {
    await grab(file, () => vtysh(node, command));
  }
  await grab("ip-link.json", async () => (await lab.exec(node, ["ip", "-json", "link"])).stdout);
  await grab("ip-addr.json", async () => (await lab.exec(node, ["ip", "-json", "addr"])).stdout);
  await grab("ip-route.txt", async () => (await lab.exec(node, ["ip", "route"])).stdout);
  await grab("ip6-route.txt", async () => (await lab.exec(node, ["ip", "-6", "route"])).stdout);
  return dumps;
}
