// The planner: observed host + desired host + ownership record -> ordered operations.
// Order: create, configure, bring up, sysctls, deletes, routing (FRR) last. Nothing is emitted
// for what is already right, and nothing ever touches a link meshover does not own.
import type {
  TDesiredHost,
  TDesiredLink,
  TFrrState,
  THostState,
  TLinkState,
  TOwnedState,
  TWireguardDeviceState,
  TWireguardPeerState,
} from "./host-state";
import { getSysctlDevice, type TOperation } from "./operations";

/**
 * Names meshover gives the links it creates: `mo<index>` tunnels (`mo<index>r` in a pair's
 * second slot, see derive-rotation-tunnels.ts) and the `meshover0` dummy.
 */
export const OWNED_LINK_PATTERN = /^(mo\d{1,5}r?|meshover0)$/;

/** True when `name` matches meshover's naming pattern AND the agent recorded creating it. */
export function isOwnedLink(name: string, owned: TOwnedState): boolean {
  return OWNED_LINK_PATTERN.test(name) && owned.links.includes(name);
}

/** Input of planHost. */
export interface TPlanInput {
  observed: THostState;
  desired: TDesiredHost;
  owned: TOwnedState;
}

/** A desired change the planner refused to make, with why. */
export interface TPlanConflict {
  device: string;
  reason: string;
}

/** An ordered list of operations plus what could not be planned. */
export interface TPlan {
  operations: TOperation[];
  conflicts: TPlanConflict[];
}

const EMPTY_WIREGUARD: TWireguardDeviceState = { publicKey: null, listenPort: null, peers: [] };

/** `observed` already matches `wanted`. A wanted endpoint of null accepts any endpoint: the peer
 * has none to offer, and `wg` keeps whatever address it last heard the peer from (roaming). */
function isSamePeer(observed: TWireguardPeerState, wanted: TWireguardPeerState): boolean {
  const [a, b] = [observed, wanted];
  return (
    (b.endpoint === null || a.endpoint === b.endpoint) &&
    a.keepaliveSec === b.keepaliveSec &&
    a.allowedIps.length === b.allowedIps.length &&
    a.allowedIps.every((ip, index) => ip === b.allowedIps[index])
  );
}

function isSameFrrBase(a: TFrrState, b: TFrrState): boolean {
  return (
    a.asn === b.asn &&
    a.routerId === b.routerId &&
    a.bfd.intervalMs === b.bfd.intervalMs &&
    a.bfd.multiplier === b.bfd.multiplier &&
    a.coalesceTimeMs === b.coalesceTimeMs &&
    a.ipv4Networks.join(" ") === b.ipv4Networks.join(" ") &&
    a.ipv6Networks.join(" ") === b.ipv6Networks.join(" ") &&
    a.policy.join("\n") === b.policy.join("\n")
  );
}

interface TPhases {
  create: TOperation[];
  configure: TOperation[];
  up: TOperation[];
  sysctl: TOperation[];
  remove: TOperation[];
  routing: TOperation[];
}

function planLink(
  desired: TDesiredLink,
  observed: TLinkState | undefined,
  phases: TPhases,
): boolean {
  const isWrongKind =
    observed !== undefined &&
    (desired.kind === "wireguard" ? observed.wireguard === null : observed.kind !== desired.kind);
  const isNew = observed === undefined || isWrongKind;
  if (isWrongKind) phases.create.push({ op: "link-delete", device: desired.name });
  if (isNew) {
    phases.create.push({ op: "link-create", device: desired.name, kind: desired.kind });
    // Before the link comes up, so the kernel never generates a link-local on a tunnel: each
    // end has exactly its fe80::<index>. Best effort: a host without IPv6 on it still works.
    if (desired.kind === "wireguard") {
      phases.create.push({
        op: "sysctl-set",
        key: `net.ipv6.conf.${desired.name}.addr_gen_mode`,
        value: "1",
        isBestEffort: true,
      });
    }
  }
  const current = isNew ? undefined : observed;

  if (desired.wireguard) {
    const wireguard = current?.wireguard ?? EMPTY_WIREGUARD;
    const want = desired.wireguard;
    if (want.publicKey !== null && wireguard.publicKey !== want.publicKey) {
      phases.configure.push({
        op: "wg-set-private-key",
        device: desired.name,
        publicKey: want.publicKey,
      });
    }
    if (want.listenPort !== null && wireguard.listenPort !== want.listenPort) {
      phases.configure.push({
        op: "wg-set-listen-port",
        device: desired.name,
        port: want.listenPort,
      });
    }
    for (const peer of want.peers) {
      const existing = wireguard.peers.find((candidate) => candidate.publicKey === peer.publicKey);
      if (!existing || !isSamePeer(existing, peer)) {
        phases.configure.push({ op: "wg-set-peer", device: desired.name, ...peer });
      }
    }
    for (const peer of wireguard.peers) {
      if (!want.peers.some((candidate) => candidate.publicKey === peer.publicKey)) {
        phases.remove.push({
          op: "wg-remove-peer",
          device: desired.name,
          publicKey: peer.publicKey,
        });
      }
    }
  }
  if (desired.mtu !== null && current?.mtu !== desired.mtu) {
    phases.configure.push({ op: "link-set-mtu", device: desired.name, mtu: desired.mtu });
  }
  const addresses = current?.addresses ?? [];
  for (const cidr of desired.addresses) {
    if (!addresses.includes(cidr))
      phases.configure.push({ op: "address-add", device: desired.name, cidr });
  }
  for (const cidr of addresses) {
    if (!desired.addresses.includes(cidr)) {
      phases.remove.push({ op: "address-delete", device: desired.name, cidr });
    }
  }
  if (!current?.isUp) phases.up.push({ op: "link-set-up", device: desired.name });
  return isNew;
}

function planFrr(
  desired: TFrrState,
  observed: TFrrState | null,
  skipped: ReadonlySet<string>,
  phases: TPhases,
): void {
  if (!observed || !isSameFrrBase(observed, desired)) {
    const { neighbors: _neighbors, ...base } = desired;
    phases.routing.push({ op: "frr-set-base", base });
  }
  const current = observed?.neighbors ?? [];
  for (const device of desired.neighbors) {
    if (!current.includes(device) && !skipped.has(device))
      phases.routing.push({ op: "frr-add-neighbor", device });
  }
  for (const device of current) {
    // Only neighbors on meshover's own tunnel names: anything else in FRR is the admin's.
    if (!desired.neighbors.includes(device) && OWNED_LINK_PATTERN.test(device)) {
      phases.routing.push({ op: "frr-remove-neighbor", device });
    }
  }
}

/**
 * Plan the operations that take the host from `observed` to `desired`. Deterministic; an
 * already-converged host yields no operations. Links named like meshover's but not recorded
 * in `owned` are never touched (reported as conflicts instead).
 */
export function planHost({ observed, desired, owned }: TPlanInput): TPlan {
  const phases: TPhases = {
    create: [],
    configure: [],
    up: [],
    sysctl: [],
    remove: [],
    routing: [],
  };
  const conflicts: TPlanConflict[] = [];
  const observedLinks = new Map(observed.links.map((link) => [link.name, link]));
  const desiredNames = new Set(desired.links.map((link) => link.name));
  const skipped = new Set<string>();
  // Links (re)created by this plan: their per-device sysctls start from kernel defaults.
  const fresh = new Set<string>();

  for (const link of desired.links) {
    const current = observedLinks.get(link.name);
    if (!OWNED_LINK_PATTERN.test(link.name)) {
      conflicts.push({ device: link.name, reason: "name outside meshover's pattern" });
      skipped.add(link.name);
    } else if (current && !isOwnedLink(link.name, owned)) {
      conflicts.push({ device: link.name, reason: "exists but was not created by meshover" });
      skipped.add(link.name);
    } else if (planLink(link, current, phases)) {
      fresh.add(link.name);
    }
  }

  for (const { device, cidr } of desired.hostAddresses) {
    const current = observedLinks.get(device);
    if (!current) {
      conflicts.push({ device, reason: `missing, cannot hold ${cidr}` });
    } else if (!current.addresses.includes(cidr)) {
      phases.configure.push({ op: "address-add", device, cidr });
    }
  }
  for (const { device, cidr } of owned.addresses) {
    const isWanted = desired.hostAddresses.some((a) => a.device === device && a.cidr === cidr);
    if (!isWanted && observedLinks.get(device)?.addresses.includes(cidr)) {
      phases.remove.push({ op: "address-delete", device, cidr });
    }
  }

  for (const key of Object.keys(desired.sysctls).sort()) {
    const device = getSysctlDevice(key);
    if (device !== null && skipped.has(device)) continue;
    const value = desired.sysctls[key] ?? "";
    const isFresh = device !== null && fresh.has(device);
    if (isFresh || observed.sysctls[key] !== value)
      phases.sysctl.push({ op: "sysctl-set", key, value });
  }

  const kept = new Set(desired.keptLinks ?? []);
  for (const link of observed.links) {
    if (!desiredNames.has(link.name) && !kept.has(link.name) && isOwnedLink(link.name, owned)) {
      phases.remove.push({ op: "link-delete", device: link.name });
    }
  }

  if (desired.frr) planFrr(desired.frr, observed.frr, skipped, phases);

  return {
    operations: [
      ...phases.create,
      ...phases.configure,
      ...phases.up,
      ...phases.sysctl,
      ...phases.remove,
      ...phases.routing,
    ],
    conflicts,
  };
}
