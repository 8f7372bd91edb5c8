// The agent protocol's messages (enroll, health report). Shared by the controller's `agent`
// router and the agent, so both validate the same shapes. Config itself is ZDesiredNodeConfig.
import { z } from "zod";
import { ZCidr, ZDesiredNodeConfig, ZWireguardKey } from "./config";
import { ZSaneDateTime, ZUint32Column, zText } from "./input-bounds";
import { ZRouteCandidate } from "./route-sources";

/** Most route candidates one report carries (the agent keeps the announced ones first). */
export const MAX_ROUTE_CANDIDATES = 5000;

/** Longest accepted free-text error in a report; longer text is a malformed report. */
export const MAX_ERROR_LENGTH = 4000;

/** An underlay endpoint as an agent reports it: an IPv6 or IPv4 address, no port. */
export const ZEndpoint = z.union([z.ipv6(), z.ipv4()]);

/** A node name: DNS-label-like, so it fits in logs, URLs and hostnames. */
export const ZNodeName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "lowercase letters, digits and dashes (max 63)");

/** Facts about the host the agent runs on. */
export const ZHostInfo = z
  .object({
    hostname: zText().max(255),
    kernel: zText().max(255),
    /** How WireGuard runs there: the kernel module or the userspace wireguard-go. */
    wireguard: z.enum(["kernel", "wireguard-go", "unknown"]),
    /** FRR mode the agent runs with, and FRR's version when known. */
    frrMode: z.enum(["system", "managed", "none"]),
    frrVersion: zText().max(64).nullable(),
    /** Where the node addresses live: the meshover0 dummy device, or lo where dummy is missing. */
    addressDevice: z.enum(["meshover0", "lo"]),
    /**
     * `systemd-detect-virt --vm`: "none" on bare metal, "kvm", "qemu" (software emulation), ...;
     * null when unknown. Software emulation gets gentler BFD timers.
     */
    virtualization: zText().max(32).nullable().optional(),
  })
  .strict();

/** `agent.enroll` input: redeem an enrollment token. */
export const ZEnrollRequest = z
  .object({
    token: zText().min(16).max(256),
    /** Requested node name; the token's preset name wins, else the host name. */
    name: ZNodeName.optional(),
    publicKey: ZWireguardKey,
    endpoints: z.array(ZEndpoint).max(16),
    agentVersion: zText().min(1).max(64),
    hostInfo: ZHostInfo,
  })
  .strict();

/** `agent.enroll` output: who the node is and the credential it authenticates with from now on. */
export const ZEnrollResponse = z
  .object({
    nodeId: z.uuid(),
    name: ZNodeName,
    /** Secret shown once; the agent keeps it in its state folder (0600). */
    credential: z.string().min(32).max(256),
    /**
     * The node's first config, so the agent builds its tunnels before its config stream is up
     * (the stream then starts with the same version). Absent when the controller had not
     * compiled it in time, and from older controllers.
     */
    config: ZDesiredNodeConfig.optional(),
  })
  .strict();

/** Which tunnel a peer sample is about (not stored; the peer public key drives rotations). */
export const ZPeerTunnel = z.object({
  peerId: z.uuid(),
  interface: zText().min(1).max(15),
  /** The public key this tunnel currently uses for the peer (key-rotation progress). */
  peerPublicKey: ZWireguardKey.nullable(),
});

/**
 * The figures of a tunnel the controller keeps as their own HealthSample columns, because SQL
 * aggregates them into the history charts. Add new figures to ZPeerMetrics, not here.
 */
export const ZPeerCounters = z.object({
  /** Latest WireGuard handshake (ISO time), null when none yet. */
  handshakeAt: ZSaneDateTime.nullable(),
  rxBytes: z.number().int().nonnegative(),
  txBytes: z.number().int().nonnegative(),
  /** Round-trip time to the peer's link-local address through the tunnel. */
  rttMs: z.number().nonnegative().max(600000).nullable(),
});

/**
 * Every other figure of a tunnel: stored as they come in one JSONB column (HealthSample.metrics)
 * and passed through the topology API to the dashboard. A new metric is one field here, its
 * value in the agent's collector and its row in the view, with no migration. Each defaults to
 * null, so samples stored before the metric existed and agents that do not send it yet read as
 * "unknown".
 */
export const ZPeerMetrics = z.object({
  /** FRR's BGP state name (Established, Active, Connect, ...), null without FRR. */
  bgpState: zText().max(32).nullable().default(null),
  bgpUptimeSec: ZUint32Column.nullable().default(null),
  bfdState: zText().max(32).nullable().default(null),
  prefixesReceived: ZUint32Column.nullable().default(null),
  /**
   * Prefixes this node advertises to the peer (after its outbound policy): with the peer's
   * prefixesReceived it tells whether a missing route was never sent or was filtered on arrival.
   */
  prefixesSent: ZUint32Column.nullable().default(null),
  mtuConfigured: z.number().int().min(0).max(65535).nullable().default(null),
  /** Path MTU measured through the tunnel with DF probes. */
  mtuMeasured: z.number().int().min(0).max(65535).nullable().default(null),
  /**
   * Set when the tunnel has existed for DIRECT_PATH_TIMEOUT_SEC without ever completing a
   * WireGuard handshake: the direct path does not work; the text says how it was tried.
   */
  directPathError: zText().max(300).nullable().default(null),
});

/** How long a tunnel may go without its first handshake before it counts as no direct path. */
export const DIRECT_PATH_TIMEOUT_SEC = 60;

/** What one node observed of its tunnel to one peer: the record, flat on the wire. */
export const ZPeerHealth = z
  .object({ ...ZPeerTunnel.shape, ...ZPeerCounters.shape, ...ZPeerMetrics.shape })
  .strict();

/** Most routes one report may carry per list (a full set of a large mesh fits). */
export const MAX_REPORTED_ROUTES = 16384;

/**
 * A route a node observed: its prefix and the peers (node ids) it came through. For a received
 * route those are the BGP neighbours whose path FRR accepted; for an installed one the tunnels
 * the kernel route's next hops use. Empty `via`: not through a mesh tunnel.
 */
export const ZObservedRoute = z
  .object({
    prefix: ZCidr,
    via: z.array(z.uuid()).max(1024),
  })
  .strict();

/**
 * The routes a node receives (BGP RIB, accepted paths) and installed (kernel routes of FRR's
 * BGP), as a change against the set the controller last acknowledged, so a quiet mesh sends
 * almost nothing. `baseSeq` null: a full set that replaces whatever the controller has (the
 * first report after a start, or after the controller asked for one with `routesResync`).
 * Otherwise the controller applies it only when `baseSeq` is the last `seq` it stored for the
 * node, and asks for a full set when not (a lost answer, a restored database).
 */
export const ZRouteReport = z
  .object({
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    baseSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
    /** Received routes that are new or whose `via` changed (all of them when full). */
    received: z.array(ZObservedRoute).max(MAX_REPORTED_ROUTES),
    /** Prefixes no longer received. */
    receivedGone: z.array(ZCidr).max(MAX_REPORTED_ROUTES),
    /** Installed routes that are new or changed (all of them when full). */
    installed: z.array(ZObservedRoute).max(MAX_REPORTED_ROUTES),
    /** Prefixes no longer installed. */
    installedGone: z.array(ZCidr).max(MAX_REPORTED_ROUTES),
  })
  .strict();

/**
 * What the node's host actually has of the mesh, for drift: the meshover tunnel interfaces that
 * exist and the BGP neighbours FRR has configured. The controller compares them with the
 * node's desired config (a tunnel or neighbour missing, or one too many).
 */
export const ZObservedMesh = z
  .object({
    tunnels: z.array(zText().min(1).max(15)).max(1024),
    bgpNeighbors: z.array(zText().min(1).max(64)).max(1024),
  })
  .strict();

/**
 * A tunnel built for a key rotation beside the pair's current one (make-before-break), as the
 * reporting node sees it: its handshake tells the controller the pair works with the new key.
 */
export const ZRotationTunnel = z
  .object({
    peerId: z.uuid(),
    interface: zText().min(1).max(15),
    /** The reporting node's public key on this tunnel. */
    publicKey: ZWireguardKey,
    /** The peer's public key on this tunnel. */
    peerPublicKey: ZWireguardKey,
    /** Latest handshake (ISO time), null when none yet. */
    handshakeAt: ZSaneDateTime.nullable(),
  })
  .strict();

/**
 * `agent.reportRotation` input: a running rotation's progress alone, sent the moment the node
 * made its next key or a rotation tunnel handshook (a full health report reads FRR and costs
 * seconds on a busy host; the rotation waits on this).
 */
export const ZRotationReport = z
  .object({
    /** The key this node made for its running rotation (as in agent.report). */
    nextKey: z.object({ publicKey: ZWireguardKey, rotationId: z.uuid() }).strict().nullable(),
    rotationTunnels: z.array(ZRotationTunnel).max(1024),
  })
  .strict();

/** `agent.report` input: the node's health and what it applied. */
export const ZHealthReport = z
  .object({
    agentVersion: zText().min(1).max(64),
    hostInfo: ZHostInfo,
    endpoints: z.array(ZEndpoint).max(16),
    /** The node's current WireGuard public key. */
    publicKey: ZWireguardKey,
    /** The rotation this key answers, when it was made for one. */
    rotationId: z.uuid().nullable(),
    /**
     * The key this node made for a running rotation, still unused by its current tunnels (it
     * becomes publicKey when the controller promotes it). Absent from older agents.
     */
    nextKey: z.object({ publicKey: ZWireguardKey, rotationId: z.uuid() }).strict().nullish(),
    /** The rotation tunnels (next key on one end) and their handshakes. */
    rotationTunnels: z.array(ZRotationTunnel).max(1024).optional(),
    appliedVersion: z.number().int().min(0).nullable(),
    applyError: zText().max(MAX_ERROR_LENGTH).nullable(),
    peers: z.array(ZPeerHealth).max(1024),
    /**
     * Every prefix the agent discovered on its host with its verdict, or null when unchanged
     * since the last accepted report. The agent sends the full list at start, on any change
     * and after a failed report; an agent that predates route sources sends nothing (null).
     */
    routeCandidates: z.array(ZRouteCandidate).max(MAX_ROUTE_CANDIDATES).nullable().default(null),
    /** Received and installed routes as a delta (absent: an agent that does not report them). */
    routes: ZRouteReport.optional(),
    /** The tunnels and BGP neighbours present on the host (absent: not reported). */
    observed: ZObservedMesh.optional(),
    /** The last re-apply request (config `reapplyId`) this node has carried out. */
    reappliedId: zText().max(64).nullable().optional(),
  })
  .strict();

/** Facts about the host the agent runs on. */
export type THostInfo = z.infer<typeof ZHostInfo>;
/** `agent.enroll` input. */
export type TEnrollRequest = z.infer<typeof ZEnrollRequest>;
/** `agent.enroll` output. */
export type TEnrollResponse = z.infer<typeof ZEnrollResponse>;
/** What one node observed of its tunnel to one peer. */
export type TPeerHealth = z.infer<typeof ZPeerHealth>;
/** The figures stored as HealthSample columns. */
export type TPeerCounters = z.infer<typeof ZPeerCounters>;
/** The figures stored in HealthSample.metrics. */
export type TPeerMetrics = z.infer<typeof ZPeerMetrics>;
/** A key rotation's second tunnel to a peer, as reported. */
export type TRotationTunnel = z.infer<typeof ZRotationTunnel>;
/** `agent.report` input. */
export type THealthReport = z.infer<typeof ZHealthReport>;
/** `agent.reportRotation` input. */
export type TRotationReport = z.infer<typeof ZRotationReport>;
/** A route a node observed (received or installed). */
export type TObservedRoute = z.infer<typeof ZObservedRoute>;
/** Received and installed routes as a delta or a full set. */
export type TRouteReport = z.infer<typeof ZRouteReport>;
/** The tunnels and BGP neighbours present on a node. */
export type TObservedMesh = z.infer<typeof ZObservedMesh>;
