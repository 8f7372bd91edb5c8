// A stalled first handshake started again (health/watch-handshakes.ts says when): each peer of
// the given tunnels that has not handshaken is removed and added back with the same settings in
// one `wg set`. The new peer entry has a fresh handshake state, so its persistent keepalive sends
// an initiation at once instead of at WireGuard's 5 s retry.
import { parseWgDump } from "@meshover/netcfg";
import { runChecked, type TRunner } from "../exec/run-command";
import type { TLogger } from "../log";

/** Restart the handshake of every peer of `devices` without one; see the file comment. */
export async function restartHandshakes(
  runner: TRunner,
  logger: TLogger,
  devices: readonly string[],
): Promise<void> {
  const dump = await runChecked(runner, ["wg", "show", "all", "dump"], { isSecret: true });
  const wanted = new Set(devices);
  const restarted: string[] = [];
  for (const device of parseWgDump(dump.stdout)) {
    if (!wanted.has(device.name)) continue;
    for (const peer of device.peers) {
      // A handshake came meanwhile; without an endpoint this end cannot initiate; a preshared
      // key would have to be passed again (meshover sets none).
      if (peer.latestHandshakeSec !== null || !peer.endpoint || peer.hasPresharedKey) continue;
      const keepalive = peer.persistentKeepaliveSec ?? 0;
      await runChecked(runner, [
        "wg",
        "set",
        device.name,
        "peer",
        peer.publicKey,
        "remove",
        "peer",
        peer.publicKey,
        "endpoint",
        peer.endpoint,
        "allowed-ips",
        peer.allowedIps.join(","),
        "persistent-keepalive",
        keepalive === 0 ? "off" : String(keepalive),
      ]);
      restarted.push(device.name);
    }
  }
  if (restarted.length > 0) logger.info({ devices: restarted }, "restarted stalled handshakes");
}
