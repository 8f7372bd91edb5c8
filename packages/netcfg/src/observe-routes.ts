// The routes a node observes, for the fleet route table: what it receives over BGP (FRR's RIB,
// `show bgp ipv4|ipv6 unicast json`) and what its kernel installed from FRR (`ip -json route
// show proto bgp`), each with the mesh peers it came through. Also the delta between two such
// observations, which is what an agent reports (a quiet mesh sends almost nothing). Pure.
import { z } from "zod";
import { compareText } from "./compare-text";
import type { TDesiredNodeConfig } from "./config";
import { getTunnelInterfaceName } from "./derive-tunnels";
import { normalizePrefix } from "./parse-cidr";
import { parseToolJson } from "./parse-tool-json";
import type { TObservedRoute, TRouteReport } from "./protocol";

/** `show bgp <afi> unicast json`: the paths per prefix (only the fields read here). */
const ZBgpRibOutput = z.object({
  routes: z
    .record(
      z.string(),
      z.array(
        z.object({
          valid: z.boolean().optional(),
          /** AS path as text, first AS is the neighbour's ("" for a local route). */
          path: z.string().optional(),
        }),
      ),
    )
    .default({}),
});

/** One prefix of the BGP RIB with the first AS of each valid path. */
export interface TRibRoute {
  prefix: string;
  /** The neighbour AS of every valid received path (local paths left out). */
  neighborAsns: number[];
  /** The AS path length of each of those paths, in the same order. */
  hops: number[];
}

/**
 * Parses `vtysh -c 'show bgp ipv4 unicast json'` (or ipv6). Prefixes without a valid received
 * path (only local ones) are left out. Throws NetcfgError INVALID_TOOL_OUTPUT.
 */
export function parseBgpRib(text: string): TRibRoute[] {
  const output = parseToolJson("vtysh show bgp unicast json", ZBgpRibOutput, text);
  const routes: TRibRoute[] = [];
  for (const [prefix, paths] of Object.entries(output.routes)) {
    const received = paths
      .filter((path) => path.valid !== false)
      .map((path) => (path.path ?? "").trim().split(/\s+/).map(Number))
      .filter(([asn]) => Number.isInteger(asn) && asn! > 0);
    if (received.length > 0) {
      routes.push({
        prefix,
        neighborAsns: received.map(([asn]) => asn!),
        hops: received.map((asns) => asns.length),
      });
    }
  }
  return routes;
}

/** `ip -json route show proto bgp`: destination and the devices of its next hops. */
const ZKernelRoutesOutput = z.array(
  z.object({
    dst: z.string(),
    dev: z.string().optional(),
    nexthops: z.array(z.object({ dev: z.string().optional() })).optional(),
  }),
);

/** One kernel route with the devices its next hops leave through. */
export interface TKernelRoute {
  prefix: string;
  devices: string[];
}

/**
 * Parses `ip [-6] -json route show proto bgp`. `family` names the `default` destination.
 * Throws NetcfgError INVALID_TOOL_OUTPUT.
 */
export function parseKernelRoutes(text: string, family: "ipv4" | "ipv6"): TKernelRoute[] {
  // `ip -json` prints nothing at all for an empty table on some iproute2 versions.
  if (text.trim() === "") return [];
  return parseToolJson("ip -json route", ZKernelRoutesOutput, text).map((entry) => {
    const host = entry.dst.includes(":") ? 128 : 32;
    const prefix =
      entry.dst === "default"
        ? family === "ipv6"
          ? "::/0"
          : "0.0.0.0/0"
        : entry.dst.includes("/")
          ? entry.dst
          : `${entry.dst}/${host}`;
    const devices = [entry.dev, ...(entry.nexthops ?? []).map((hop) => hop.dev)].filter(
      (dev): dev is string => dev !== undefined,
    );
    return { prefix, devices: [...new Set(devices)] };
  });
}

/** A node's observed routes: prefix → sorted peer ids, per kind. */
export interface TRouteObservation {
  received: Map<string, string[]>;
  installed: Map<string, string[]>;
}

function canonical(prefix: string): string {
  try {
    return normalizePrefix(prefix);
  } catch {
    return prefix;
  }
}

/**
 * Turns the parsed RIB and kernel routes into peer ids using the node's config: a received
 * path's neighbour AS names the peer (every node has its own ASN), an installed route's device
 * names the tunnel (`mo<peer index>`, or `mo<peer index>r` in a rotation's other slot). Paths
 * and devices that are not mesh peers count as "via nothing mesh" (empty list), so a prefix
 * from a BGP speaker behind the node still shows.
 */
export function observeRoutes(
  config: TDesiredNodeConfig,
  rib: readonly TRibRoute[],
  kernel: readonly TKernelRoute[],
): TRouteObservation {
  const byAsn = new Map(config.peers.map((peer) => [peer.asn, peer.id]));
  // Both tunnel slots: after an odd number of key rotations a pair's tunnel is `mo<index>r`.
  const byDevice = new Map(
    config.peers.flatMap((p) => [
      [getTunnelInterfaceName(p.index, 0), p.id],
      [getTunnelInterfaceName(p.index, 1), p.id],
    ]),
  );
  const collect = (entries: { prefix: string; keys: (string | undefined)[] }[]) => {
    const map = new Map<string, string[]>();
    for (const { prefix, keys } of entries) {
      const ids = new Set(map.get(canonical(prefix)) ?? []);
      for (const id of keys) if (id !== undefined) ids.add(id);
      map.set(canonical(prefix), [...ids].sort());
    }
    return map;
  };
  return {
    received: collect(
      rib.map((route) => ({
        prefix: route.prefix,
        keys: route.neighborAsns.map((asn) => byAsn.get(asn)),
      })),
    ),
    installed: collect(
      kernel.map((route) => ({
        prefix: route.prefix,
        keys: route.devices.map((device) => byDevice.get(device)),
      })),
    ),
  };
}

function diffRouteMap(base: ReadonlyMap<string, string[]> | null, next: Map<string, string[]>) {
  const changed: TObservedRoute[] = [];
  for (const [prefix, via] of next) {
    const before = base?.get(prefix);
    if (!before || before.join() !== via.join()) changed.push({ prefix, via });
  }
  const gone = base ? [...base.keys()].filter((prefix) => !next.has(prefix)) : [];
  return { changed: changed.sort((a, b) => compareText(a.prefix, b.prefix)), gone: gone.sort() };
}

/**
 * The route report from the observation the controller acknowledged last (`base`, null for a
 * full set) to `next`. `seq` numbers this report; a delta names the acknowledged one.
 */
export function makeRouteReport(
  base: { seq: number; routes: TRouteObservation } | null,
  next: TRouteObservation,
  seq: number,
): TRouteReport {
  const received = diffRouteMap(base?.routes.received ?? null, next.received);
  const installed = diffRouteMap(base?.routes.installed ?? null, next.installed);
  return {
    seq,
    baseSeq: base?.seq ?? null,
    received: received.changed,
    receivedGone: received.gone,
    installed: installed.changed,
    installedGone: installed.gone,
  };
}

/** Whether a route report carries no change (a delta with nothing in it). */
export function isEmptyRouteReport(report: TRouteReport): boolean {
  return (
    report.baseSeq !== null &&
    report.received.length === 0 &&
    report.receivedGone.length === 0 &&
    report.installed.length === 0 &&
    report.installedGone.length === 0
  );
}
