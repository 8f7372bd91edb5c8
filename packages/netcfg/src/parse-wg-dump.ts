// Parser for `wg show all dump` (wireguard-tools): tab-separated, one interface line
// (`ifname private-key public-key listen-port fwmark`) followed by its peer lines (`ifname
// public-key preshared-key endpoint allowed-ips latest-handshake rx tx keepalive`).
import { NetcfgError } from "./netcfg-error";

/** One peer of a WireGuard interface. */
export interface TWgPeer {
  publicKey: string;
  hasPresharedKey: boolean;
  /** `[v6]:port` or `v4:port`, null when unknown. */
  endpoint: string | null;
  allowedIps: string[];
  /** Unix time (seconds) of the latest handshake, null when none yet. */
  latestHandshakeSec: number | null;
  rxBytes: number;
  txBytes: number;
  /** Seconds, null when off. */
  persistentKeepaliveSec: number | null;
}

/** One WireGuard interface. The private key is deliberately not kept: it never leaves wg. */
export interface TWgDevice {
  name: string;
  hasPrivateKey: boolean;
  /** Null when no private key is set. */
  publicKey: string | null;
  listenPort: number | null;
  fwmark: number | null;
  peers: TWgPeer[];
}

function fail(lineNumber: number, why: string): never {
  throw new NetcfgError("INVALID_TOOL_OUTPUT", `wg show all dump, line ${lineNumber}: ${why}`);
}

function toCount(text: string, lineNumber: number): number {
  if (!/^\d+$/.test(text)) fail(lineNumber, `"${text}" is not a number`);
  return Number(text);
}

const none = (text: string) => text === "(none)" || text === "off" || text === "";

/**
 * Parses `wg show all dump` into devices in printed order. Throws NetcfgError
 * INVALID_TOOL_OUTPUT on a line that is neither an interface nor a peer line.
 */
export function parseWgDump(text: string): TWgDevice[] {
  const devices: TWgDevice[] = [];
  text.split("\n").forEach((line, i) => {
    const lineNumber = i + 1;
    if (line.trim() === "") return;
    const fields = line.split("\t");
    if (fields.length === 5) {
      const [name, privateKey, publicKey, port, fwmark] = fields as [
        string,
        string,
        string,
        string,
        string,
      ];
      devices.push({
        name,
        hasPrivateKey: !none(privateKey),
        publicKey: none(publicKey) ? null : publicKey,
        listenPort: port === "0" || none(port) ? null : toCount(port, lineNumber),
        fwmark: none(fwmark) ? null : Number(fwmark),
        peers: [],
      });
      return;
    }
    if (fields.length === 9) {
      const [name, publicKey, psk, endpoint, allowedIps, handshake, rx, tx, keepalive] = fields as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const device = devices.find((candidate) => candidate.name === name);
      if (!device) fail(lineNumber, `peer of "${name}" before its interface line`);
      const handshakeSec = toCount(handshake, lineNumber);
      device.peers.push({
        publicKey,
        hasPresharedKey: !none(psk),
        endpoint: none(endpoint) ? null : endpoint,
        allowedIps: none(allowedIps) ? [] : allowedIps.split(","),
        latestHandshakeSec: handshakeSec === 0 ? null : handshakeSec,
        rxBytes: toCount(rx, lineNumber),
        txBytes: toCount(tx, lineNumber),
        persistentKeepaliveSec: none(keepalive) ? null : toCount(keepalive, lineNumber),
      });
      return;
    }
    fail(lineNumber, `expected 5 or 9 tab-separated fields, got ${fields.length}`);
  });
  return devices;
}
