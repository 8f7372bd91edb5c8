// The desired configuration of one node: what the controller compiles and streams, and what the
// agent reconciles the host towards. This schema is the contract between the two.
import { z } from "zod";
import { ZCidr } from "./cidr-schema";
import { DEFAULT_NODE_ROUTING, ZAllowedRange, ZNodeRouting } from "./route-sources";

export { ZCidr };

/** A WireGuard public key: 32 bytes, base64. */
export const ZWireguardKey = z
  .string()
  .regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/, "not a WireGuard public key");

/** A node's identity and addressing. */
export const ZNodeIdentity = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(63),
  /** Small unique integer: names the tunnel interfaces and picks the listen ports. */
  index: z.number().int().min(1).max(65535),
  /** Private 32-bit ASN (RFC 6996). */
  asn: z.number().int().min(4200000000).max(4294967294),
  /** Node IPv4 address (a /32 from the IPv4 pool), without prefix length. */
  ipv4: z.ipv4(),
  /** Node IPv6 address (a /128 from the installation's ULA /48), without prefix length. */
  ipv6: z.ipv6(),
  /** Prefixes behind this node (VM/pod/LAN subnets) that it announces over BGP. */
  advertisedPrefixes: z.array(ZCidr).max(256),
  /**
   * Parity of the node's completed key rotations (absent: 0). A tunnel's slot is the sum of
   * both ends' parities mod 2, so a rotation builds its new tunnels in the other slot (another
   * interface name and port) while the old ones still carry traffic (derive-rotation-tunnels.ts).
   */
  keySlot: z.number().int().min(0).max(1).optional(),
  /**
   * Underlay addresses the node reported (its address families come from these). Absent from
   * configs of controllers before issue #17; for peers, ZPeerConfig makes it required.
   */
  endpoints: z.array(z.string().min(2).max(64)).max(16).optional(),
  /**
   * Peers cannot dial this node (no public address, or an admin said so): it dials them with a
   * persistent keepalive, they learn its endpoint from the handshake. Absent means false.
   */
  isBehindNat: z.boolean().optional(),
  /**
   * False when the node must not carry traffic between other nodes: it announces only its own
   * routes. Absent means true.
   */
  canTransit: z.boolean().optional(),
});

/** A peer as one node sees it. */
export const ZPeerConfig = ZNodeIdentity.extend({
  publicKey: ZWireguardKey,
  /** Underlay addresses of the peer (IPv6 preferred); the first reachable one is used. */
  endpoints: z.array(z.string().min(2).max(64)).max(16),
  /**
   * The ranges this peer may originate routes from (empty unless it may originate): every node
   * binds each range to the peer's ASN, so no node can announce another node's range.
   */
  allowedRanges: z.array(ZAllowedRange).max(256).default([]),
  /**
   * The key the peer is rotating to, once it reported it: build a second tunnel to it beside
   * the current one (make-before-break); null or absent when the peer is not rotating.
   */
  nextPublicKey: ZWireguardKey.nullable().optional(),
});

/** Mesh-wide settings every node needs. */
export const ZMeshSettings = z.object({
  ipv4Pool: ZCidr,
  ipv6Pool: ZCidr,
  /** The tunnel on node A for peer B listens on basePort + B.index. */
  basePort: z.number().int().min(1024).max(65535),
  /** Assumed underlay path MTU when none is measured. */
  underlayMtu: z.number().int().min(1280).max(65535),
  /** Fixed tunnel MTU, or null to derive it from the underlay MTU. */
  tunnelMtu: z.number().int().min(1280).max(65535).nullable(),
  healthIntervalSec: z.number().int().min(1).max(3600),
  keepaliveSec: z.number().int().min(0).max(3600),
  bfd: z.object({
    intervalMs: z.number().int().min(10).max(60000),
    multiplier: z.number().int().min(2).max(255),
  }),
  /**
   * The longest AS path this node accepts from its mesh sessions, or absent for any length.
   * Set to 2 for a node with a tunnel to every other node: it needs a direct route, or a detour
   * through one other node while its own tunnel to a peer is down, never a longer chain. Longer
   * paths are only stale alternatives, and a node that dies would otherwise be chased through
   * them one BGP round at a time (path hunting: 4–7 rounds, 0.3–0.4 s in an 8-node lab).
   */
  maxAsPathLength: z.number().int().min(1).max(255).optional(),
});

/** A pending WireGuard key rotation of this node. */
export const ZKeyRotationRequest = z.object({
  id: z.uuid(),
});

/** Id of an admin's re-apply request. */
export const ZReapplyId = z.uuid();

/**
 * Most peers one config may list: a full mesh of 4,096 nodes (the controller is measured with
 * 2,000 subscribed agents; node indexes and ports allow far more).
 */
export const MAX_PEERS = 4095;

/**
 * The route-source ranges of a node this node has no tunnel to (issue #17: its routes arrive
 * through a hub): admitted by the mesh prefix-lists and bound to that node's ASN, as a peer's.
 */
export const ZRemoteRanges = ZNodeIdentity.pick({ index: true, asn: true }).extend({
  allowedRanges: z.array(ZAllowedRange).min(1).max(256),
});

/** Everything one node needs to build its part of the mesh. */
export const ZDesiredNodeConfig = z.object({
  /** Mesh version this config was compiled at; increases with every change. */
  version: z.number().int().min(0),
  self: ZNodeIdentity,
  peers: z.array(ZPeerConfig).max(MAX_PEERS),
  settings: ZMeshSettings,
  rotation: ZKeyRotationRequest.nullable(),
  /** This node's route sources and policy (defaults: nothing picked up from the host). */
  routing: ZNodeRouting.default(DEFAULT_NODE_ROUTING),
  /**
   * The admin's latest "re-apply" request for this node (an id), or null. When it differs from
   * the last one the agent carried out, the agent reconciles once more from a fresh observation
   * of the host and FRR (nothing cached) and reports the id as `reappliedId`.
   */
  reapplyId: ZReapplyId.nullable().optional(),
  /**
   * Every prefix the mesh advertises, sorted, sent when some node is not this node's peer: its
   * routes arrive through others (issue #17) and the BGP prefix lists must let them in. Absent
   * when every node is a peer (the peers' entries already list every prefix).
   */
  remotePrefixes: z.array(ZCidr).max(262144).optional(),
  /**
   * Route-source ranges of nodes that are not this node's peers, by index, sent when some
   * node is not a peer and has ranges (issue #17). Absent otherwise.
   */
  remoteRanges: z.array(ZRemoteRanges).max(MAX_PEERS).optional(),
});

/**
 * The same config as a change against the version the agent last received on this stream:
 * everything but the peers in full (small), the peers as upserts and removals. In a full mesh
 * a change usually touches one peer, so this is about 1 KB instead of 120 KB at 500 nodes.
 */
export const ZDesiredNodeConfigDelta = z.object({
  kind: z.literal("delta"),
  /** The version this delta applies to; any other base means: resubscribe for a full config. */
  baseVersion: z.number().int().min(0),
  version: z.number().int().min(0),
  self: ZNodeIdentity,
  settings: ZMeshSettings,
  rotation: ZKeyRotationRequest.nullable(),
  /** This node's route sources and policy, in full (small). */
  routing: ZNodeRouting.default(DEFAULT_NODE_ROUTING),
  reapplyId: ZReapplyId.nullable().optional(),
  /** Peers that are new or changed, in full. */
  upsertPeers: z.array(ZPeerConfig).max(MAX_PEERS),
  /** Ids of peers that are gone. */
  removePeerIds: z.array(z.uuid()).max(MAX_PEERS),
  /** The new remotePrefixes, only when they changed (an empty list clears them). */
  remotePrefixes: z.array(ZCidr).max(262144).optional(),
  /** The new remoteRanges, only when they changed (an empty list clears them). */
  remoteRanges: z.array(ZRemoteRanges).max(MAX_PEERS).optional(),
});

/** One event of the config stream: the full config (always first) or a delta. */
export const ZNodeConfigUpdate = z.union([ZDesiredNodeConfigDelta, ZDesiredNodeConfig]);

/** A node's identity and addressing. */
export type TNodeIdentity = z.infer<typeof ZNodeIdentity>;
/** A peer as one node sees it. */
export type TPeerConfig = z.infer<typeof ZPeerConfig>;
/** Route-source ranges of a node reached through others. */
export type TRemoteRanges = z.infer<typeof ZRemoteRanges>;
/** Mesh-wide settings every node needs. */
export type TMeshSettings = z.infer<typeof ZMeshSettings>;
/** Everything one node needs to build its part of the mesh. */
export type TDesiredNodeConfig = z.infer<typeof ZDesiredNodeConfig>;
/** A config change against the version last received on the same stream. */
export type TDesiredNodeConfigDelta = z.infer<typeof ZDesiredNodeConfigDelta>;
/** One event of the config stream: full config or delta. */
export type TNodeConfigUpdate = z.infer<typeof ZNodeConfigUpdate>;
