// A model of what each operation does to the host, used by property tests (apply a plan to a
// simulated host, then compare with the desired state). Test-only: not exported from the
// package index.
import { compareText } from "../compare-text";
import type { THostState, TLinkState, TOwnedState } from "./host-state";
import { getSysctlDevice, type TOperation } from "./operations";
import { updateOwnedState } from "./update-owned-state";

/** Default MTU the kernel (or wireguard-go) gives a new link of this kind. */
export const DEFAULT_LINK_MTU = { wireguard: 1420, dummy: 1500 } as const;

function updateLink(
  host: THostState,
  device: string,
  change: (link: TLinkState) => TLinkState,
): THostState {
  const link = host.links.find((candidate) => candidate.name === device);
  if (!link) throw new Error(`simulated host has no link ${device}`);
  return {
    ...host,
    links: host.links.map((candidate) =>
      candidate.name === device ? change(candidate) : candidate,
    ),
  };
}

function updateWireguard(
  host: THostState,
  device: string,
  change: (wireguard: NonNullable<TLinkState["wireguard"]>) => TLinkState["wireguard"],
): THostState {
  return updateLink(host, device, (link) => {
    if (!link.wireguard) throw new Error(`simulated link ${device} is not WireGuard`);
    return { ...link, wireguard: change(link.wireguard) };
  });
}

/** The host after one operation, as the kernel/FRR would leave it. Throws where they would fail. */
export function simulateOperation(host: THostState, operation: TOperation): THostState {
  switch (operation.op) {
    case "link-create": {
      if (host.links.some((link) => link.name === operation.device)) {
        throw new Error(`simulated link ${operation.device} exists`);
      }
      const link: TLinkState = {
        name: operation.device,
        kind: operation.kind,
        mtu: DEFAULT_LINK_MTU[operation.kind],
        isUp: false,
        addresses: [],
        wireguard:
          operation.kind === "wireguard" ? { publicKey: null, listenPort: null, peers: [] } : null,
      };
      return {
        ...host,
        links: [...host.links, link].sort((a, b) => compareText(a.name, b.name)),
      };
    }
    case "link-delete": {
      if (!host.links.some((link) => link.name === operation.device)) {
        throw new Error(`simulated host has no link ${operation.device}`);
      }
      const sysctls = Object.fromEntries(
        Object.entries(host.sysctls).filter(([key]) => getSysctlDevice(key) !== operation.device),
      );
      // FRR keeps a neighbor whose interface vanished; the planner removes it explicitly.
      return {
        links: host.links.filter((link) => link.name !== operation.device),
        sysctls,
        frr: host.frr,
      };
    }
    case "link-set-mtu":
      return updateLink(host, operation.device, (link) => ({ ...link, mtu: operation.mtu }));
    case "link-set-up":
      return updateLink(host, operation.device, (link) => ({ ...link, isUp: true }));
    case "address-add":
      return updateLink(host, operation.device, (link) => ({
        ...link,
        addresses: [...new Set([...link.addresses, operation.cidr])].sort(),
      }));
    case "address-delete":
      return updateLink(host, operation.device, (link) => ({
        ...link,
        addresses: link.addresses.filter((cidr) => cidr !== operation.cidr),
      }));
    case "wg-set-private-key":
      return updateWireguard(host, operation.device, (wg) => ({
        ...wg,
        publicKey: operation.publicKey,
      }));
    case "wg-set-listen-port":
      return updateWireguard(host, operation.device, (wg) => ({
        ...wg,
        listenPort: operation.port,
      }));
    case "wg-set-peer": {
      const { op: _op, device: _device, ...wanted } = operation;
      return updateWireguard(host, operation.device, (wg) => {
        const existing = wg.peers.find((p) => p.publicKey === wanted.publicKey);
        // `wg set ... peer` without an endpoint keeps the one the peer had.
        const peer = { ...wanted, endpoint: wanted.endpoint ?? existing?.endpoint ?? null };
        return {
          ...wg,
          peers: [...wg.peers.filter((p) => p.publicKey !== peer.publicKey), peer].sort((a, b) =>
            compareText(a.publicKey, b.publicKey),
          ),
        };
      });
    }
    case "wg-remove-peer":
      return updateWireguard(host, operation.device, (wg) => ({
        ...wg,
        peers: wg.peers.filter((peer) => peer.publicKey !== operation.publicKey),
      }));
    case "sysctl-set": {
      const device = getSysctlDevice(operation.key);
      if (device !== null && !host.links.some((link) => link.name === device)) {
        throw new Error(`simulated sysctl ${operation.key}: no such device`);
      }
      return { ...host, sysctls: { ...host.sysctls, [operation.key]: operation.value } };
    }
    case "frr-set-base":
      return { ...host, frr: { ...operation.base, neighbors: host.frr?.neighbors ?? [] } };
    case "frr-add-neighbor":
      if (!host.frr) throw new Error("simulated FRR has no BGP instance");
      return {
        ...host,
        frr: { ...host.frr, neighbors: [...host.frr.neighbors, operation.device].sort() },
      };
    case "frr-remove-neighbor":
      if (!host.frr) throw new Error("simulated FRR has no BGP instance");
      return {
        ...host,
        frr: { ...host.frr, neighbors: host.frr.neighbors.filter((n) => n !== operation.device) },
      };
  }
}

/** Apply a whole plan to a simulated host and ownership record. */
export function simulatePlan(
  host: THostState,
  owned: TOwnedState,
  operations: readonly TOperation[],
): { host: THostState; owned: TOwnedState } {
  let nextHost = host;
  let nextOwned = owned;
  for (const operation of operations) {
    nextOwned = updateOwnedState(nextOwned, operation);
    nextHost = simulateOperation(nextHost, operation);
  }
  return { host: nextHost, owned: nextOwned };
}
