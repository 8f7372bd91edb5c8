// Make-before-break key rotation: which tunnels a node keeps while it or a peer changes keys.
//
// WireGuard gives an interface one private key, and a peer entry owns its allowed-ips: with
// 0.0.0.0/0 and ::/0 on every tunnel, a second peer entry for the new key on the same interface
// cannot receive anything (a packet decrypted under the new key whose source routes to the old
// entry is dropped), and moving the allowed-ips to it drops what still comes under the old key.
// Whatever the order, one direction loses packets until both ends have switched. So a rotation
// builds a second tunnel per pair in the pair's other slot (`mo<index>r`, port basePort − index;
// derive-tunnels.ts), with the new key, and BGP + BFD run over both. When the controller has
// seen every peer handshake with the new key it promotes it (the node's keySlot flips): the new
// tunnel becomes the current one, and the old one is retired in steps that never leave the pair
// without a working path:
//   retiring  the new tunnel's BGP session is not Established yet: keep the old link and its
//             BGP neighbor as they are;
//   draining  it is: remove the old BGP neighbor (FRR tells the peer, which moves its routes to
//             the new session) but keep the link, so packets already routed into it arrive;
//   gone      the neighbor is gone from FRR: the link is deleted. The agent runs that pass a
//             moment later (DRAIN_DELAY_MS) so the peer has moved its routes first.
// BGP sessions over tunnels that are not rotating are never touched.
import type { TDesiredNodeConfig } from "./config";
import {
  deriveTunnel,
  getTunnelInterfaceName,
  type TDeriveTunnelsOptions,
  type TTunnel,
  type TTunnelSlot,
} from "./derive-tunnels";
import type { TPlanTunnel } from "./plan/derive-desired-host";
import { toPlanTunnel } from "./plan/derive-desired-host";

/** How long the agent waits between draining an old tunnel and deleting its link. */
export const DRAIN_DELAY_MS = 1500;

/** What a tunnel is for during a rotation (see the file comment). */
export type TTunnelRole = "current" | "next" | "retiring" | "draining";

/** A tunnel with its role in a rotation. */
export interface TRoleTunnel extends TTunnel {
  role: TTunnelRole;
  /** This node's key on the tunnel is its next key (this node is rotating). */
  isNextKey: boolean;
}

/** Input of deriveRotationTunnels: the config plus what the agent knows locally. */
export interface TRotationTunnelsInput {
  config: TDesiredNodeConfig;
  /** This node's next public key while it rotates (only the agent knows it), else null. */
  nextPublicKey: string | null;
  /** Tunnel interfaces meshover owns on the host now. */
  presentTunnels: readonly string[];
  /** Tunnel interfaces that have a BGP neighbor in FRR now. */
  frrNeighbors: readonly string[];
  /** Tunnel interfaces whose BGP session is Established now. */
  establishedNeighbors: readonly string[];
  options?: TDeriveTunnelsOptions;
}

function otherSlot(slot: TTunnelSlot): TTunnelSlot {
  return slot === 0 ? 1 : 0;
}

/**
 * Every tunnel this node should have, by peer index: each peer's current tunnel; a next tunnel
 * in the other slot while this node or the peer rotates; and an old tunnel left over from a
 * finished rotation, retiring or draining as the file comment describes. Pure.
 */
export function deriveRotationTunnels(input: TRotationTunnelsInput): TRoleTunnel[] {
  const { config, nextPublicKey } = input;
  const present = new Set(input.presentTunnels);
  const inFrr = new Set(input.frrNeighbors);
  const established = new Set(input.establishedNeighbors);
  const tunnels: TRoleTunnel[] = [];
  for (const peer of [...config.peers].sort((a, b) => a.index - b.index)) {
    const current = deriveTunnel(config, peer, input.options);
    tunnels.push({ ...current, role: "current", isNextKey: false });
    const other = otherSlot(current.slot);
    const peerNextKey = peer.nextPublicKey ?? null;
    if (nextPublicKey !== null || peerNextKey !== null) {
      const next = deriveTunnel(config, peer, input.options, {
        slot: other,
        peerPublicKey: peerNextKey ?? peer.publicKey,
      });
      tunnels.push({ ...next, role: "next", isNextKey: nextPublicKey !== null });
      continue;
    }
    const old = getTunnelInterfaceName(peer.index, other);
    if (!present.has(old)) continue;
    const previous = deriveTunnel(config, peer, input.options, {
      slot: other,
      peerPublicKey: peer.publicKey,
    });
    if (!established.has(current.interfaceName)) {
      tunnels.push({ ...previous, role: "retiring", isNextKey: false });
    } else if (inFrr.has(old)) {
      tunnels.push({ ...previous, role: "draining", isNextKey: false });
    }
    // Established on the new tunnel and no neighbor left on the old one: the old link goes.
  }
  return tunnels;
}

/** Tunnels that carry a BGP neighbor (every role but draining). */
export function listRoutedTunnels<T extends TRoleTunnel>(tunnels: readonly T[]): T[] {
  return tunnels.filter((tunnel) => tunnel.role !== "draining");
}

/** True while some tunnel is on its way out: the agent runs another pass after DRAIN_DELAY_MS. */
export function isRetirementPending(tunnels: readonly TRoleTunnel[]): boolean {
  return tunnels.some((tunnel) => tunnel.role === "retiring" || tunnel.role === "draining");
}

/**
 * The planner's tunnels: current and next ones built as derived (a next tunnel of a rotating
 * node with its next key), old ones kept exactly as they are on the host (`keptDevices`).
 */
export function toRotationPlanTunnels(
  tunnels: readonly TRoleTunnel[],
  keys: { publicKey: string; nextPublicKey: string | null },
): { tunnels: TPlanTunnel[]; keptDevices: string[] } {
  const built = tunnels.filter((tunnel) => tunnel.role === "current" || tunnel.role === "next");
  return {
    tunnels: built.map((tunnel) => ({
      ...toPlanTunnel(tunnel),
      localPublicKey:
        tunnel.isNextKey && keys.nextPublicKey !== null ? keys.nextPublicKey : keys.publicKey,
    })),
    keptDevices: tunnels
      .filter((tunnel) => tunnel.role === "retiring" || tunnel.role === "draining")
      .map((tunnel) => tunnel.interfaceName),
  };
}
