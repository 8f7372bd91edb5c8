// bgpd opens a session over a tunnel only once it knows the peer's link-local address, which
// zebra learns from the peer's router advertisements and hands on. In CI a pair of tunnels
// passed traffic (its BFD session up, handshakes, tens of KB received) while both ends' bgpd
// stayed Idle "Waiting for Peer IPv6 LLA" for minutes, failing the lab (7 Dec). zebra tells its
// clients of a neighbor once, when it first learns it, and forgets it (restarting its own RAs)
// only when the link goes down. So the agent takes a tunnel stuck like that for STALL_MS, whose
// WireGuard peer answers, down and up again (with its link-local address, which the kernel drops
// on down), at most once per BOUNCE_INTERVAL_MS; each end does it for its own side.
import {
  parseBgpNeighbors,
  parseIpAddresses,
  parseWgDump,
  type TBgpNeighbor,
  type TWgDevice,
} from "@meshover/netcfg";
import { runChecked, type TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { TLogger } from "../log";

/** How long a session may wait for the peer's link-local address before its tunnel is bounced. */
export const STALL_MS = 15_000;
/** The shortest time between two bounces of one tunnel. */
export const BOUNCE_INTERVAL_MS = 60_000;
/** How recent the peer's last handshake must be (WireGuard keeps a session 180 s). */
const ANSWERING_SEC = 180;
const WAITING_FOR_LLA = "Waiting for Peer IPv6 LLA";

/** Whether a session has waited STALL_MS or more for its peer's link-local address. */
function isWaitingForLinkLocal(neighbor: TBgpNeighbor): boolean {
  return (
    neighbor.isInterfaceNeighbor &&
    !neighbor.isEstablished &&
    neighbor.lastResetReason === WAITING_FOR_LLA &&
    (neighbor.lastResetMsecAgo ?? 0) >= STALL_MS
  );
}

/** Tunnels whose BGP session waits for the peer's link-local while the peer answers. Pure. */
export function findStalledTunnels(
  neighbors: readonly TBgpNeighbor[],
  devices: readonly TWgDevice[],
  nowSec: number,
): string[] {
  return neighbors
    .filter(isWaitingForLinkLocal)
    .map((neighbor) => neighbor.name)
    .filter((name) =>
      devices
        .find((device) => device.name === name)
        ?.peers.some(
          (peer) =>
            peer.latestHandshakeSec !== null && nowSec - peer.latestHandshakeSec <= ANSWERING_SEC,
        ),
    );
}

/**
 * Finds stalled tunnels and bounces each (see the file comment). A check reads bgpd's sessions
 * only; the rest (WireGuard's handshakes, the bounce) runs through `serialize` (the agent's
 * queue) and only when a session has waited that long.
 */
export class StalledTunnelBouncer {
  private readonly bouncedAt = new Map<string, number>();

  constructor(
    private readonly options: {
      runner: TRunner;
      logger: TLogger;
      frr: TFrrAdapter;
      now?: () => number;
      /** Runs host work one task at a time with the agent's other host work. */
      serialize?: <T>(task: () => Promise<T>) => Promise<T>;
      /** bgpd's sessions as read lately by someone else (the routing watcher), if any. */
      recentNeighbors?: () => string | null;
    },
  ) {}

  async check(): Promise<string[]> {
    const text =
      this.options.recentNeighbors?.() ?? (await this.options.frr.show("show bgp neighbors json"));
    const neighbors = parseBgpNeighbors(text);
    if (!neighbors.some(isWaitingForLinkLocal)) return [];
    const serialize = this.options.serialize ?? ((task) => task());
    return serialize(() => this.bounce(neighbors));
  }

  private async bounce(neighbors: readonly TBgpNeighbor[]): Promise<string[]> {
    const { runner, logger } = this.options;
    const now = (this.options.now ?? Date.now)();
    const dump = await runChecked(runner, ["wg", "show", "all", "dump"], { isSecret: true });
    const stalled = findStalledTunnels(
      neighbors,
      parseWgDump(dump.stdout),
      Math.floor(now / 1000),
    ).filter((device) => now - (this.bouncedAt.get(device) ?? -Infinity) >= BOUNCE_INTERVAL_MS);
    for (const device of stalled) {
      this.bouncedAt.set(device, now);
      logger.warn(
        { device },
        "tunnel's BGP session waits for the peer's link-local address: bouncing it",
      );
      const shown = await runChecked(runner, ["ip", "-json", "-6", "addr", "show", "dev", device]);
      const addresses = parseIpAddresses(shown.stdout)
        .flatMap((link) => link.addresses)
        .filter((address) => address.scope === "link")
        .map((address) => `addr replace ${address.cidr} dev ${device} nodad`);
      await runChecked(runner, ["ip", "-batch", "-"], {
        input: [`link set dev ${device} down`, `link set dev ${device} up`, ...addresses, ""].join(
          "\n",
        ),
      });
    }
    return stalled;
  }
}
