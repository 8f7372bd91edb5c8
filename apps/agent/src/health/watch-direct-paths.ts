// "No direct path" detection (issue #17): a tunnel that never completes a WireGuard handshake
// for DIRECT_PATH_TIMEOUT_SEC while the agent runs is reported with the reason, so the
// controller can stop building it and let BGP route the pair through other nodes.
import { DIRECT_PATH_TIMEOUT_SEC, type TTunnel } from "@meshover/netcfg";

/** Remembers, per peer, since when its tunnel has been waiting for a first handshake. */
export class DirectPathWatch {
  private readonly waitingSince = new Map<string, number>();
  private readonly everShook = new Set<string>();

  /**
   * Note one observation of `tunnel` at `now` (ms); returns the error to report, or null while
   * the tunnel has had a handshake or is younger than the timeout.
   */
  observe(tunnel: TTunnel, hasHandshake: boolean, now: number): string | null {
    const id = tunnel.peerId;
    if (hasHandshake) {
      this.everShook.add(id);
      this.waitingSince.delete(id);
      return null;
    }
    // A path that worked once and broke is a failure for BFD to route around, not "no path".
    if (this.everShook.has(id)) return null;
    const since = this.waitingSince.get(id) ?? now;
    this.waitingSince.set(id, since);
    const waitedSec = Math.floor((now - since) / 1000);
    if (waitedSec < DIRECT_PATH_TIMEOUT_SEC) return null;
    const how = tunnel.endpoint
      ? `dialing ${tunnel.endpoint.text} over ${tunnel.endpoint.family === "ipv6" ? "IPv6" : "IPv4"}`
      : "waiting to be dialed (no endpoint for the peer)";
    return `no WireGuard handshake in ${waitedSec} s (${how})`;
  }

  /** Forget peers no longer configured, so a tunnel built again gets a fresh timeout. */
  retain(peerIds: ReadonlySet<string>): void {
    for (const id of [...this.waitingSince.keys()]) {
      if (!peerIds.has(id)) this.waitingSince.delete(id);
    }
    for (const id of [...this.everShook]) if (!peerIds.has(id)) this.everShook.delete(id);
  }
}
