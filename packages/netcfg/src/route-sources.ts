// Route sources: what a node may pick up from its host (interfaces, kernel routes, Cilium's pod
// CIDR, BGP speakers behind it) and the controller's policy that must consent before anything is
// announced. The schemas here are the contract between the controller (which stores the policy
// and streams it in the node's config), the agent (which discovers and reports candidates) and
// the FRR rendering (which enforces the same policy in route-maps and prefix-lists).
import { z } from "zod";
import { ZCidr } from "./cidr-schema";
import { isCidrOverlap, parseCidr, type TParsedCidr } from "./parse-cidr";

/** Where an announced prefix comes from. `static` is a prefix an admin attached by hand. */
export const ZRouteSourceKind = z.enum(["static", "connected", "kernel", "cilium", "speaker"]);

/** An interface name or a glob over names (`*`, `?`), at most 15 characters like IFNAMSIZ. */
export const ZInterfaceSelector = z
  .string()
  .regex(/^[A-Za-z0-9_.:@*?-]{1,15}$/, "an interface name or glob (letters, digits, _.:-@ * ?)");

/**
 * A kernel route protocol by name (`static`, `boot`, `dhcp`, `bird`, ...) or number. `kernel`
 * (2) is refused: FRR's zebra never sees such routes (ROUTING-NOTES §0.1), and FRR's own
 * protocols are its selfroutes, never redistributed.
 */
export const ZKernelProtocol = z
  .string()
  .regex(/^([a-z][a-z0-9_-]{0,15}|\d{1,3})$/, "a route protocol name or number")
  .refine((value) => value !== "kernel" && value !== "2", {
    message:
      "proto kernel routes are invisible to FRR's zebra (Cilium ≥ 1.14 installs its pod route so): use the Cilium pod CIDR source",
  });

/** Interfaces never used as a source, whatever the admin selects (tunnels, loopback, CNI guts). */
export const BUILTIN_EXCLUDED_INTERFACES: readonly string[] = [
  "mo*",
  "lo",
  "wg*",
  "tailscale*",
  "cilium_*",
  "lxc*",
  "kube-ipvs0",
  "docker0",
  "nodelocaldns",
];

/**
 * A BGP speaker behind the node (in its own namespace, VM or container): FRR listens on
 * `listenRange`, accepts at most `maxPrefixes` routes through the node's allowed ranges, and
 * sends it nothing of the mesh.
 */
export const ZBgpSpeaker = z.object({
  listenRange: ZCidr,
  /** The speaker's ASN (`remote-as`). */
  asn: z.number().int().min(1).max(4294967294),
  maxPrefixes: z.number().int().min(1).max(100000),
});

/** Which host state a node picks routes up from. */
export const ZRouteSources = z.object({
  /** Interfaces whose connected prefixes are candidates (names or globs). */
  interfaces: z.array(ZInterfaceSelector).max(64),
  /** More interfaces to exclude, on top of BUILTIN_EXCLUDED_INTERFACES. */
  excludeInterfaces: z.array(ZInterfaceSelector).max(64),
  /** Kernel routes with these protocols are candidates. */
  kernelProtocols: z.array(ZKernelProtocol).max(16),
  /** Originate the Cilium pod CIDR (the route into cilium_host that contains its address). */
  ciliumPodCidr: z.boolean(),
  speakers: z.array(ZBgpSpeaker).max(16),
});

/** A range a node may announce prefixes from: `prefix` itself and more specifics up to maxLength. */
export const ZAllowedRange = z.object({
  prefix: ZCidr,
  maxLength: z.number().int().min(0).max(128),
  /** Several nodes may announce the same prefixes from this range on purpose. */
  anycast: z.boolean(),
});

/** The node's routing policy as its config carries it: the sources and the controller's consent. */
export const ZNodeRouting = z.object({
  /** The node-level switch: off means nothing discovered is announced. */
  mayOriginate: z.boolean(),
  /** An exit node may announce a default route. */
  exitNode: z.boolean(),
  /** At most this many discovered prefixes are announced; the rest are refused (`prefix-cap`). */
  maxPrefixes: z.number().int().min(0).max(100000),
  /** Effective sources (the node's own, or the mesh defaults). */
  sources: ZRouteSources,
  allowedRanges: z.array(ZAllowedRange).max(256),
  /** Prefixes the controller holds back (a conflict awaiting an admin): never announced. */
  withheld: z.array(ZCidr).max(4096),
});

/** Why a candidate is not announced. */
export const ZRouteRefusal = z.enum([
  /** The node's "may originate routes" switch is off. */
  "origination-disabled",
  /** The prefix is in no allowed range of this node. */
  "outside-allowed-ranges",
  /** In an allowed range, but longer than its maximum length. */
  "longer-than-allowed",
  /** Default route (non-exit node), mesh pool, underlay, link-local, multicast, loopback. */
  "always-denied",
  /** Over the node's prefix cap. */
  "prefix-cap",
  /** Held back by the controller: a conflict an admin must resolve. */
  "withheld",
  /** A speaker in the node's own network namespace: FRR 8.4 drops its routes (needs FRR 9). */
  "speaker-needs-frr9",
]);

/** One prefix the agent found on its host, with where it came from and what became of it. */
export const ZRouteCandidate = z.object({
  prefix: ZCidr,
  source: ZRouteSourceKind,
  /** Interface of a connected or kernel route, `cilium_host` for the pod CIDR. */
  interface: z.string().max(15).nullable(),
  /** Kernel route protocol, for kernel sources. */
  protocol: z.string().max(16).nullable(),
  /** Speaker address, for speaker sources. */
  speaker: z.string().max(64).nullable(),
  verdict: z.enum(["announced", "refused"]),
  refusal: ZRouteRefusal.nullable(),
  /** Human words for the refusal ("overlaps the mesh pool 10.128.0.0/16"). */
  detail: z.string().max(200).nullable(),
});

/** Where an announced prefix comes from. */
export type TRouteSourceKind = z.infer<typeof ZRouteSourceKind>;
/** A BGP speaker behind a node. */
export type TBgpSpeaker = z.infer<typeof ZBgpSpeaker>;
/** Which host state a node picks routes up from. */
export type TRouteSources = z.infer<typeof ZRouteSources>;
/** A range a node may announce prefixes from. */
export type TAllowedRange = z.infer<typeof ZAllowedRange>;
/** The node's routing policy as its config carries it. */
export type TNodeRouting = z.infer<typeof ZNodeRouting>;
/** Why a candidate is not announced. */
export type TRouteRefusal = z.infer<typeof ZRouteRefusal>;
/** One discovered prefix with its verdict. */
export type TRouteCandidate = z.infer<typeof ZRouteCandidate>;

/** Sources of a mesh with nothing configured: nothing is picked up until an admin opts in. */
export const DEFAULT_ROUTE_SOURCES: TRouteSources = {
  interfaces: [],
  excludeInterfaces: [],
  kernelProtocols: [],
  ciliumPodCidr: false,
  speakers: [],
};

/** The routing of a node nobody configured: announces only its attached (static) prefixes. */
export const DEFAULT_NODE_ROUTING: TNodeRouting = {
  mayOriginate: false,
  exitNode: false,
  maxPrefixes: 1000,
  sources: DEFAULT_ROUTE_SOURCES,
  allowedRanges: [],
  withheld: [],
};

/**
 * Well-known per-host defaults: the same prefix on two nodes is almost surely two private
 * networks, not one, so the controller treats it as a conflict unless an admin resolves it.
 */
export const WELL_KNOWN_PER_HOST_PREFIXES: readonly { cidr: string; what: string }[] = [
  { cidr: "192.168.122.0/24", what: "libvirt's default network" },
  { cidr: "172.17.0.0/16", what: "Docker's default bridge" },
  { cidr: "10.0.0.0/8", what: "Cilium's default cluster pool" },
  { cidr: "10.42.0.0/16", what: "k3s's default cluster CIDR" },
  { cidr: "10.244.0.0/16", what: "flannel's default network" },
];

/** Ranges never routed into the mesh from a host source, with why (FRR denies them too). */
export const NEVER_ROUTED: readonly { cidr: TParsedCidr; why: string }[] = [
  { cidr: "0.0.0.0/8", why: "'this network'" },
  { cidr: "127.0.0.0/8", why: "loopback" },
  { cidr: "169.254.0.0/16", why: "IPv4 link-local" },
  { cidr: "224.0.0.0/4", why: "multicast" },
  { cidr: "::1/128", why: "loopback" },
  { cidr: "fe80::/10", why: "IPv6 link-local" },
  { cidr: "ff00::/8", why: "multicast" },
].map((range) => ({ cidr: parseCidr(range.cidr), why: range.why }));

/** What the always-denied check needs to know. */
export interface TAlwaysDeniedContext {
  /** The mesh node-address pools. */
  pools: { ipv4Pool: string; ipv6Pool: string };
  /** Underlay addresses or prefixes (the nodes' endpoints): routing them into the mesh loops. */
  underlay: readonly string[];
  isExitNode: boolean;
}

/**
 * Why a prefix may never be announced from a host source, in words, or null when it may. Default
 * routes (unless an exit node), the mesh pools, the underlay, link-local, multicast, loopback.
 */
export function findAlwaysDeniedReason(
  prefix: string,
  context: TAlwaysDeniedContext,
): string | null {
  return createAlwaysDeniedCheck(context)(parseCidr(prefix, { isHostBitsAllowed: true }));
}

/**
 * findAlwaysDeniedReason with the context parsed once, for judging many prefixes (an agent with
 * 1,000 VIPs and 50 peers' endpoints would otherwise parse 50,000 addresses per look).
 */
export function createAlwaysDeniedCheck(
  context: TAlwaysDeniedContext,
): (cidr: TParsedCidr) => string | null {
  const pools = [context.pools.ipv4Pool, context.pools.ipv6Pool].map((text) => ({
    text,
    cidr: parseCidr(text, { isHostBitsAllowed: true }),
  }));
  const underlay = context.underlay.map((text) => ({
    text,
    cidr: parseCidr(text.includes("/") ? text : hostCidr(text), { isHostBitsAllowed: true }),
  }));
  return (cidr) => {
    if (cidr.prefixLength === 0) {
      return context.isExitNode ? null : "a default route, announced only by an exit node";
    }
    const never = NEVER_ROUTED.find((range) => isCidrOverlap(range.cidr, cidr));
    if (never) return `overlaps ${never.cidr.text} (${never.why})`;
    const pool = pools.find((entry) => isCidrOverlap(entry.cidr, cidr));
    if (pool) return `overlaps the mesh pool ${pool.text}`;
    const endpoint = underlay.find((entry) => isCidrOverlap(entry.cidr, cidr));
    if (endpoint) return `contains the underlay address ${endpoint.text}`;
    return null;
  };
}

function hostCidr(address: string): string {
  return address.includes(":") ? `${address}/128` : `${address}/32`;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

// An interface name against a selector (a name, or a glob with `*` and `?`).
function isSelectorMatch(name: string, selector: string): boolean {
  return selector === name || globToRegExp(selector).test(name);
}

/**
 * True when the node's sources pick up this interface's connected prefixes: some selector
 * matches it and neither BUILTIN_EXCLUDED_INTERFACES nor the node's own exclusions do.
 */
export function isInterfaceSelected(name: string, sources: TRouteSources): boolean {
  const matches = (selectors: readonly string[]) =>
    selectors.some((selector) => isSelectorMatch(name, selector));
  if (matches(BUILTIN_EXCLUDED_INTERFACES) || matches(sources.excludeInterfaces)) return false;
  return matches(sources.interfaces);
}

/** What a speaker on a loopback listen range gets: FRR 8.4 cannot take its routes. */
export const SPEAKER_NEEDS_FRR9_MESSAGE =
  "a speaker in the node's own network namespace (loopback peering, self next-hop) needs FRR 9: FRR 8.4 drops its routes; run it in its own namespace, VM or container";

/**
 * Why a speaker's listen range cannot work on FRR 8.4, or null: a loopback range means a
 * speaker in the node's own namespace (MetalLB, Cilium BGP CP), whose routes FRR 8.4 drops
 * (ROUTING-NOTES §0.3). The agent refuses such a speaker's routes at run time as well.
 */
export function findSameNamespaceSpeakerReason(listenRange: string): string | null {
  const range = parseCidr(listenRange, { isHostBitsAllowed: true });
  const loopback = NEVER_ROUTED.filter((entry) => entry.why === "loopback");
  return loopback.some((entry) => isCidrOverlap(entry.cidr, range))
    ? SPEAKER_NEEDS_FRR9_MESSAGE
    : null;
}
