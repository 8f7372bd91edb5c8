// The controller's config compiler: from the whole mesh (every node and the settings) to each
// node's desired config. Pure and deterministic, so the same mesh version always yields the same
// configs and the agent can skip a version that changes nothing for it.
import type { TDesiredNodeConfig, TMeshSettings, TNodeIdentity, TPeerConfig } from "./config";
import { NetcfgError } from "./netcfg-error";
import { DEFAULT_NODE_ROUTING, type TAllowedRange, type TNodeRouting } from "./route-sources";

/** A node as the controller stores it. */
export interface TMeshNode {
  id: string;
  name: string;
  index: number;
  asn: number;
  /** Node IPv4 address, no prefix length. */
  ipv4: string;
  /** Node IPv6 address, no prefix length. */
  ipv6: string;
  /** Current WireGuard public key; null until the agent enrolled and reported one. */
  publicKey: string | null;
  /** Underlay endpoints the agent reported (IPv6 preferred). */
  endpoints: readonly string[];
  advertisedPrefixes: readonly string[];
  /** Id of the key rotation the admin requested and the node has not finished, or null. */
  pendingRotationId: string | null;
  /** The node's effective route sources and policy; DEFAULT_NODE_ROUTING when omitted. */
  routing?: TNodeRouting;
  /** The admin's latest re-apply request for the node (absent or null: none). */
  reapplyId?: string | null;
  /** Completed key rotations (0 when omitted); its parity is the node's keySlot. */
  keyGeneration?: number;
  /** The key the node reported for its running rotation, which peers tunnel to beside the old. */
  nextPublicKey?: string | null;
}

/** Input of compileNodeConfigs. */
export interface TCompileNodeConfigsInput {
  /** Mesh version; increases with every change. */
  version: number;
  settings: TMeshSettings;
  nodes: readonly TMeshNode[];
}

function assertUnique(
  nodes: readonly TMeshNode[],
  key: "id" | "index" | "asn" | "ipv4" | "ipv6",
  label: string,
) {
  const seen = new Map<unknown, string>();
  for (const node of nodes) {
    const value = node[key];
    const other = seen.get(value);
    if (other !== undefined) {
      throw new NetcfgError(
        "DUPLICATE",
        `nodes "${other}" and "${node.name}" share the ${label} ${String(value)}`,
      );
    }
    seen.set(value, node.name);
  }
}

function toIdentity(node: TMeshNode): TNodeIdentity {
  return {
    id: node.id,
    name: node.name,
    index: node.index,
    asn: node.asn,
    ipv4: node.ipv4,
    ipv6: node.ipv6,
    advertisedPrefixes: [...node.advertisedPrefixes],
    // Left out while 0 (and nextPublicKey while null): configs of meshes that never rotated
    // stay byte for byte what they were.
    ...((node.keyGeneration ?? 0) % 2 === 1 ? { keySlot: 1 } : {}),
  };
}

// What the other nodes admit from a node: its allowed ranges, only while it may originate.
function toPeerAllowedRanges(routing: TNodeRouting | undefined): TAllowedRange[] {
  if (!routing?.mayOriginate) return [];
  return routing.allowedRanges.map((range) => ({ ...range }));
}

/** The whole mesh compiled: every node's config, and every peer entry once. */
export interface TCompiledMeshConfigs {
  /** One config per node, ordered by index. */
  configs: TDesiredNodeConfig[];
  /**
   * Every node that is somebody's peer (has a public key), ordered by index: the very objects
   * the configs share, so a controller can diff two versions once for all nodes.
   */
  peers: TPeerConfig[];
}

/**
 * Compiles one desired config per node, ordered by node index. Each node's peers are every
 * other node that has a public key (a node without one is nobody's peer yet, but still gets
 * its own config), ordered by index. Throws NetcfgError DUPLICATE when two nodes share an id,
 * index, ASN or address. Peer objects are shared between the returned configs: treat them as
 * read-only.
 */
export function compileMesh(input: TCompileNodeConfigsInput): TCompiledMeshConfigs {
  assertUnique(input.nodes, "id", "id");
  assertUnique(input.nodes, "index", "index");
  assertUnique(input.nodes, "asn", "ASN");
  assertUnique(input.nodes, "ipv4", "IPv4 address");
  assertUnique(input.nodes, "ipv6", "IPv6 address");
  const sorted = [...input.nodes].sort((a, b) => a.index - b.index);
  const peers: TPeerConfig[] = [];
  for (const node of sorted) {
    if (node.publicKey === null) continue;
    peers.push({
      ...toIdentity(node),
      publicKey: node.publicKey,
      endpoints: [...node.endpoints],
      allowedRanges: toPeerAllowedRanges(node.routing),
      ...(node.nextPublicKey ? { nextPublicKey: node.nextPublicKey } : {}),
    });
  }
  const settings: TMeshSettings = { ...input.settings, bfd: { ...input.settings.bfd } };
  const configs = sorted.map((node) => ({
    version: input.version,
    self: toIdentity(node),
    peers: peers.filter((peer) => peer.id !== node.id),
    settings,
    rotation: node.pendingRotationId === null ? null : { id: node.pendingRotationId },
    routing: node.routing ?? DEFAULT_NODE_ROUTING,
    ...(node.reapplyId ? { reapplyId: node.reapplyId } : {}),
  }));
  return { configs, peers };
}

/** {@link compileMesh}, configs only. */
export function compileNodeConfigs(input: TCompileNodeConfigsInput): TDesiredNodeConfig[] {
  return compileMesh(input).configs;
}
