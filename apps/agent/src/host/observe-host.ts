// One look at the host in the planner's terms: links with their addresses and WireGuard
// settings (`ip -d -json link`, `ip -json addr`, `wg show all dump`, parsed by netcfg) and the
// sysctls a plan cares about, plus the live WireGuard counters health reports need.
import { readFileSync } from "node:fs";
import {
  canonicalizeEndpoint,
  compareText,
  formatInterfaceAddress,
  parseIpAddresses,
  parseWgDump,
  type THostState,
  type TLinkState,
  type TWireguardDeviceState,
} from "@meshover/netcfg";
import { runChecked, type TRunner } from "../exec/run-command";

/** Live counters of one WireGuard peer. */
export interface TWireguardPeerCounters {
  device: string;
  publicKey: string;
  endpoint: string | null;
  /** Unix seconds of the latest handshake, 0 for none. */
  latestHandshake: number;
  rxBytes: number;
  txBytes: number;
}

/** `wg show all dump`, as planner state per device plus counters per peer. */
export interface TWireguardDump {
  devices: Map<string, TWireguardDeviceState>;
  counters: TWireguardPeerCounters[];
}

/** What one observation returns besides the planner's state. */
export interface TObservation {
  host: THostState;
  wireguard: TWireguardDump;
}

/** Reads a sysctl; undefined when the key does not exist. */
export type TReadSysctl = (key: string) => string | undefined;

/** A sysctl from /proc/sys (the agent's default reader). */
export function readProcSysctl(key: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${key.replaceAll(".", "/")}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** `wg show all dump` (netcfg's parser) as planner state per device plus counters per peer. */
export function toWireguardDump(text: string): TWireguardDump {
  const devices = new Map<string, TWireguardDeviceState>();
  const counters: TWireguardPeerCounters[] = [];
  for (const device of parseWgDump(text)) {
    const peers = device.peers.map((peer) => {
      const endpoint = peer.endpoint === null ? null : canonicalizeEndpoint(peer.endpoint);
      counters.push({
        device: device.name,
        publicKey: peer.publicKey,
        endpoint,
        latestHandshake: peer.latestHandshakeSec ?? 0,
        rxBytes: peer.rxBytes,
        txBytes: peer.txBytes,
      });
      return {
        publicKey: peer.publicKey,
        endpoint,
        allowedIps: peer.allowedIps.map(formatInterfaceAddress).sort(),
        keepaliveSec: peer.persistentKeepaliveSec ?? 0,
      };
    });
    devices.set(device.name, {
      publicKey: device.publicKey,
      listenPort: device.listenPort,
      peers: peers.sort((a, b) => compareText(a.publicKey, b.publicKey)),
    });
  }
  return { devices, counters };
}

/** Observe links, addresses, WireGuard devices and the given sysctls. FRR is left null. */
export async function observeHost(
  runner: TRunner,
  readSysctl: TReadSysctl,
  sysctlKeys: readonly string[],
): Promise<TObservation> {
  // Links (with `-d`: their kind) and addresses in one `ip` run: every process the agent
  // spawns costs it a fork of its whole heap, and a cold start observes many times.
  const [ipText, dump] = await Promise.all([
    runChecked(runner, ["ip", "-d", "-json", "addr", "show"]),
    runner.run(["wg", "show", "all", "dump"], { isSecret: true }),
  ]);
  const parsedLinks = parseIpAddresses(ipText.stdout);
  const wireguard = toWireguardDump(dump.code === 0 ? dump.stdout : "");
  // Kernel-generated link-locals (stable-privacy) are left out: meshover neither sets nor
  // removes them.
  const addresses = new Map(
    parsedLinks.map((link) => [
      link.name,
      link.addresses
        .filter((address) => !address.isStablePrivacy)
        .map((address) => formatInterfaceAddress(address.cidr))
        .sort(),
    ]),
  );
  const links: TLinkState[] = parsedLinks.map((link) => {
    const device = wireguard.devices.get(link.name) ?? null;
    return {
      name: link.name,
      kind: device ? "wireguard" : link.kind,
      mtu: link.mtu ?? 0,
      isUp: link.isUp,
      addresses: addresses.get(link.name) ?? [],
      wireguard: device,
    };
  });
  const sysctls: Record<string, string> = {};
  for (const key of sysctlKeys) {
    const value = readSysctl(key);
    if (value !== undefined) sysctls[key] = value;
  }
  return {
    host: { links: links.sort((a, b) => compareText(a.name, b.name)), sysctls, frr: null },
    wireguard,
  };
}
