// Parsers for FRR 8.4's JSON output through vtysh: `show bgp neighbors json`,
// `show bfd peers json`, `show ip route json` / `show ipv6 route json` (fixtures/ holds real
// captures). Only what meshover reports and decides on is typed; unknown fields are ignored.
import { z } from "zod";
import { isValidAddress } from "./parse-cidr";
import { parseToolJson } from "./parse-tool-json";

const ZAfInfo = z.object({
  acceptedPrefixCounter: z.number().int().optional(),
  sentPrefixCounter: z.number().int().optional(),
});

/** `show bgp neighbors json`: neighbors keyed by name (interface or address). */
export const ZBgpNeighborsOutput = z.record(
  z.string(),
  z.object({
    bgpNeighborAddr: z.string().optional(),
    hostForeign: z.string().optional(),
    remoteAs: z.number().int().optional(),
    localAs: z.number().int().optional(),
    nbrDesc: z.string().optional(),
    peerGroup: z.string().optional(),
    remoteRouterId: z.string().optional(),
    bgpState: z.string(),
    bgpTimerUpMsec: z.number().optional(),
    bgpTimerUpEstablishedEpoch: z.number().optional(),
    lastResetDueTo: z.string().optional(),
    lastResetTimerMsecs: z.number().optional(),
    connectionsEstablished: z.number().int().optional(),
    connectionsDropped: z.number().int().optional(),
    peerBfdInfo: z.object({ status: z.string().optional() }).optional(),
    addressFamilyInfo: z
      .object({ ipv4Unicast: ZAfInfo.optional(), ipv6Unicast: ZAfInfo.optional() })
      .optional(),
    messageStats: z.object({ totalSent: z.number(), totalRecv: z.number() }).optional(),
  }),
);

/** `show bfd peers json`: a list of sessions. */
export const ZBfdPeersOutput = z.array(
  z.object({
    peer: z.string(),
    local: z.string().optional(),
    interface: z.string().optional(),
    vrf: z.string().optional(),
    multihop: z.boolean().optional(),
    status: z.string(),
    uptime: z.number().optional(),
    downtime: z.number().optional(),
    diagnostic: z.string().optional(),
    "remote-diagnostic": z.string().optional(),
    "receive-interval": z.number().optional(),
    "transmit-interval": z.number().optional(),
    "detect-multiplier": z.number().optional(),
    "remote-receive-interval": z.number().optional(),
    "remote-transmit-interval": z.number().optional(),
    "remote-detect-multiplier": z.number().optional(),
  }),
);

/** `show ip route json` / `show ipv6 route json`: route entries keyed by prefix. */
export const ZZebraRoutesOutput = z.record(
  z.string(),
  z.array(
    z.object({
      prefix: z.string(),
      protocol: z.string(),
      selected: z.boolean().optional(),
      destSelected: z.boolean().optional(),
      installed: z.boolean().optional(),
      distance: z.number().int().optional(),
      metric: z.number().int().optional(),
      table: z.number().int().optional(),
      uptime: z.string().optional(),
      nexthops: z
        .array(
          z.object({
            ip: z.string().optional(),
            afi: z.string().optional(),
            interfaceName: z.string().optional(),
            active: z.boolean().optional(),
            fib: z.boolean().optional(),
            directlyConnected: z.boolean().optional(),
            blackhole: z.boolean().optional(),
            unreachable: z.boolean().optional(),
            weight: z.number().optional(),
          }),
        )
        .default([]),
    }),
  ),
);

/** One BGP session as FRR reports it. */
export interface TBgpNeighbor {
  /** The neighbor's configured name: the tunnel interface for unnumbered sessions. */
  name: string;
  /** True when configured as `neighbor <ifname> interface` (the name is not an address). */
  isInterfaceNeighbor: boolean;
  /** The peer's address (its link-local for unnumbered sessions), null until known. */
  peerAddress: string | null;
  /** Null while unknown (an unnumbered session that never came up). */
  remoteAs: number | null;
  localAs: number | null;
  /** Idle, Connect, Active, OpenSent, OpenConfirm, Established. */
  state: string;
  isEstablished: boolean;
  /** Milliseconds since Established, null when not Established. */
  uptimeMsec: number | null;
  description: string | null;
  peerGroup: string | null;
  remoteRouterId: string | null;
  /** BFD session status as BGP sees it (Up, Down, Unknown), null without BFD. */
  bfdStatus: string | null;
  /** Prefixes accepted from the peer (after the inbound prefix list). */
  prefixesAccepted: { ipv4: number | null; ipv6: number | null };
  /** Prefixes sent to the peer. */
  prefixesSent: { ipv4: number | null; ipv6: number | null };
  lastResetReason: string | null;
  /** Milliseconds since the last reset, null when FRR gives none. */
  lastResetMsecAgo: number | null;
  connectionsEstablished: number;
  connectionsDropped: number;
  messagesSent: number | null;
  messagesReceived: number | null;
}

/** One BFD session. */
export interface TBfdPeer {
  peer: string;
  local: string | null;
  interface: string | null;
  isMultihop: boolean;
  /** up, down, init, shutdown. */
  status: string;
  isUp: boolean;
  /** Seconds up (when up) or down (when not), null when FRR gives neither. */
  uptimeSec: number | null;
  downtimeSec: number | null;
  diagnostic: string | null;
  remoteDiagnostic: string | null;
  receiveIntervalMs: number | null;
  transmitIntervalMs: number | null;
  detectMultiplier: number | null;
  remoteReceiveIntervalMs: number | null;
  remoteTransmitIntervalMs: number | null;
  remoteDetectMultiplier: number | null;
}

/** One next hop of a zebra route. */
export interface TZebraNexthop {
  ip: string | null;
  interfaceName: string | null;
  isActive: boolean;
  /** Installed in the kernel (FIB). */
  isInFib: boolean;
  isDirectlyConnected: boolean;
  isBlackhole: boolean;
}

/** One route entry of zebra's RIB. */
export interface TZebraRoute {
  prefix: string;
  /** connected, kernel, static, bgp, local, ... */
  protocol: string;
  isSelected: boolean;
  isInstalled: boolean;
  distance: number | null;
  metric: number | null;
  /** FRR's uptime text (hh:mm:ss or 1d02h03m). */
  uptime: string | null;
  nexthops: TZebraNexthop[];
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/**
 * Parses `vtysh -c 'show bgp neighbors json'`, sorted by name. `{}` (no BGP instance) gives [].
 * Throws NetcfgError INVALID_TOOL_OUTPUT for anything else than the expected JSON (e.g.
 * "bgpd is not running").
 */
export function parseBgpNeighbors(text: string): TBgpNeighbor[] {
  const output = parseToolJson("vtysh show bgp neighbors json", ZBgpNeighborsOutput, text);
  return Object.keys(output)
    .sort()
    .map((name) => {
      const entry = output[name]!;
      const address = entry.hostForeign ?? entry.bgpNeighborAddr;
      const af = entry.addressFamilyInfo;
      const isEstablished = entry.bgpState === "Established";
      return {
        name,
        isInterfaceNeighbor: !isValidAddress(name),
        peerAddress: address && isValidAddress(address) ? address : null,
        remoteAs: entry.remoteAs ? entry.remoteAs : null,
        localAs: orNull(entry.localAs),
        state: entry.bgpState,
        isEstablished,
        uptimeMsec: isEstablished ? orNull(entry.bgpTimerUpMsec) : null,
        description: orNull(entry.nbrDesc),
        peerGroup: orNull(entry.peerGroup),
        remoteRouterId:
          entry.remoteRouterId && entry.remoteRouterId !== "0.0.0.0" ? entry.remoteRouterId : null,
        bfdStatus: orNull(entry.peerBfdInfo?.status),
        prefixesAccepted: {
          ipv4: orNull(af?.ipv4Unicast?.acceptedPrefixCounter),
          ipv6: orNull(af?.ipv6Unicast?.acceptedPrefixCounter),
        },
        prefixesSent: {
          ipv4: orNull(af?.ipv4Unicast?.sentPrefixCounter),
          ipv6: orNull(af?.ipv6Unicast?.sentPrefixCounter),
        },
        lastResetReason: orNull(entry.lastResetDueTo),
        lastResetMsecAgo: orNull(entry.lastResetTimerMsecs),
        connectionsEstablished: entry.connectionsEstablished ?? 0,
        connectionsDropped: entry.connectionsDropped ?? 0,
        messagesSent: orNull(entry.messageStats?.totalSent),
        messagesReceived: orNull(entry.messageStats?.totalRecv),
      };
    });
}

/** Parses `vtysh -c 'show bfd peers json'`. Throws NetcfgError INVALID_TOOL_OUTPUT. */
export function parseBfdPeers(text: string): TBfdPeer[] {
  return parseToolJson("vtysh show bfd peers json", ZBfdPeersOutput, text).map((entry) => ({
    peer: entry.peer,
    local: orNull(entry.local),
    interface: orNull(entry.interface),
    isMultihop: entry.multihop ?? false,
    status: entry.status,
    isUp: entry.status === "up",
    uptimeSec: orNull(entry.uptime),
    downtimeSec: orNull(entry.downtime),
    diagnostic: orNull(entry.diagnostic),
    remoteDiagnostic: orNull(entry["remote-diagnostic"]),
    receiveIntervalMs: orNull(entry["receive-interval"]),
    transmitIntervalMs: orNull(entry["transmit-interval"]),
    detectMultiplier: orNull(entry["detect-multiplier"]),
    remoteReceiveIntervalMs: orNull(entry["remote-receive-interval"]),
    remoteTransmitIntervalMs: orNull(entry["remote-transmit-interval"]),
    remoteDetectMultiplier: orNull(entry["remote-detect-multiplier"]),
  }));
}

/**
 * Parses `vtysh -c 'show ip route json'` or `'show ipv6 route json'`: every route entry (a
 * prefix may have several, e.g. connected and kernel), in FRR's prefix order. Throws
 * NetcfgError INVALID_TOOL_OUTPUT.
 */
export function parseZebraRoutes(text: string): TZebraRoute[] {
  const output = parseToolJson("vtysh show ip route json", ZZebraRoutesOutput, text);
  return Object.values(output).flatMap((entries) =>
    entries.map((entry) => ({
      prefix: entry.prefix,
      protocol: entry.protocol,
      isSelected: entry.selected ?? false,
      isInstalled: entry.installed ?? false,
      distance: orNull(entry.distance),
      metric: orNull(entry.metric),
      uptime: orNull(entry.uptime),
      nexthops: entry.nexthops.map((hop) => ({
        ip: orNull(hop.ip),
        interfaceName: orNull(hop.interfaceName),
        isActive: hop.active ?? false,
        isInFib: hop.fib ?? false,
        isDirectlyConnected: hop.directlyConnected ?? false,
        isBlackhole: hop.blackhole ?? false,
      })),
    })),
  );
}
