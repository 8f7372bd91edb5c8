// The typed operations a plan consists of. The agent maps each to one or more commands; the
// simulator (simulate-plan.ts) applies them to a state for tests.
import type { TFrrState } from "./host-state";

/** Create a link meshover will own. */
export interface TOpLinkCreate {
  op: "link-create";
  device: string;
  kind: "wireguard" | "dummy";
}
/** Delete a link meshover owns. */
export interface TOpLinkDelete {
  op: "link-delete";
  device: string;
}
/** Set a link's MTU. */
export interface TOpLinkSetMtu {
  op: "link-set-mtu";
  device: string;
  mtu: number;
}
/** Bring a link up. */
export interface TOpLinkSetUp {
  op: "link-set-up";
  device: string;
}
/** Add an address (CIDR) to a device. */
export interface TOpAddressAdd {
  op: "address-add";
  device: string;
  cidr: string;
}
/** Remove an address (CIDR) from a device. */
export interface TOpAddressDelete {
  op: "address-delete";
  device: string;
  cidr: string;
}
/** Load the private key whose public key is `publicKey` (the agent holds the private key). */
export interface TOpWireguardSetKey {
  op: "wg-set-private-key";
  device: string;
  publicKey: string;
}
/** Set a WireGuard device's listen port. */
export interface TOpWireguardSetPort {
  op: "wg-set-listen-port";
  device: string;
  port: number;
}
/** Add or update one WireGuard peer (endpoint, allowed IPs, keepalive). */
export interface TOpWireguardSetPeer {
  op: "wg-set-peer";
  device: string;
  publicKey: string;
  endpoint: string | null;
  allowedIps: string[];
  keepaliveSec: number;
}
/** Remove one WireGuard peer. */
export interface TOpWireguardRemovePeer {
  op: "wg-remove-peer";
  device: string;
  publicKey: string;
}
/** Write a sysctl. */
export interface TOpSysctlSet {
  op: "sysctl-set";
  key: string;
  value: string;
  /** A failure is logged, not an error (a tuning the host may not offer). */
  isBestEffort?: boolean;
}
/** Set FRR's global BGP part (everything except the per-tunnel neighbors). */
export interface TOpFrrSetBase {
  op: "frr-set-base";
  base: Omit<TFrrState, "neighbors">;
}
/** Add the BGP neighbor on one tunnel interface. */
export interface TOpFrrAddNeighbor {
  op: "frr-add-neighbor";
  device: string;
}
/** Remove the BGP neighbor on one tunnel interface. */
export interface TOpFrrRemoveNeighbor {
  op: "frr-remove-neighbor";
  device: string;
}

/** One step of a plan. */
export type TOperation =
  | TOpLinkCreate
  | TOpLinkDelete
  | TOpLinkSetMtu
  | TOpLinkSetUp
  | TOpAddressAdd
  | TOpAddressDelete
  | TOpWireguardSetKey
  | TOpWireguardSetPort
  | TOpWireguardSetPeer
  | TOpWireguardRemovePeer
  | TOpSysctlSet
  | TOpFrrSetBase
  | TOpFrrAddNeighbor
  | TOpFrrRemoveNeighbor;

/** Names of all operation kinds. */
export type TOperationName = TOperation["op"];

/** A one-line description of an operation, for logs and text dumps (never holds secrets). */
export function describeOperation(operation: TOperation): string {
  switch (operation.op) {
    case "link-create":
      return `link-create ${operation.device} ${operation.kind}`;
    case "link-delete":
    case "link-set-up":
    case "frr-add-neighbor":
    case "frr-remove-neighbor":
      return `${operation.op} ${operation.device}`;
    case "link-set-mtu":
      return `link-set-mtu ${operation.device} ${operation.mtu}`;
    case "address-add":
    case "address-delete":
      return `${operation.op} ${operation.device} ${operation.cidr}`;
    case "wg-set-private-key":
      return `wg-set-private-key ${operation.device} pub=${operation.publicKey}`;
    case "wg-set-listen-port":
      return `wg-set-listen-port ${operation.device} ${operation.port}`;
    case "wg-set-peer":
      return `wg-set-peer ${operation.device} ${operation.publicKey} endpoint=${operation.endpoint ?? "-"} allowed=${operation.allowedIps.join(",")} keepalive=${operation.keepaliveSec}`;
    case "wg-remove-peer":
      return `wg-remove-peer ${operation.device} ${operation.publicKey}`;
    case "sysctl-set":
      return `sysctl-set ${operation.key}=${operation.value}`;
    case "frr-set-base": {
      const base = operation.base;
      return `frr-set-base asn=${base.asn} router-id=${base.routerId} v4=${base.ipv4Networks.join(",")} v6=${base.ipv6Networks.join(",")} bfd=${base.bfd.intervalMs}x${base.bfd.multiplier} policy=${base.policy.length}`;
    }
  }
}

/** The device a `net.ipv4.conf.<dev>.*` / `net.ipv6.conf.<dev>.*` sysctl belongs to, if any. */
export function getSysctlDevice(key: string): string | null {
  const device = /^net\.ipv[46]\.conf\.([^.]+)\./.exec(key)?.[1];
  return device === undefined || device === "all" || device === "default" ? null : device;
}

/**
 * The device an operation acts on, or null for host-wide operations (forwarding sysctls, the
 * FRR base). The scheduler groups a plan's operations by it.
 */
export function getOperationDevice(operation: TOperation): string | null {
  switch (operation.op) {
    case "sysctl-set":
      return getSysctlDevice(operation.key);
    case "frr-set-base":
      return null;
    default:
      return operation.device;
  }
}
