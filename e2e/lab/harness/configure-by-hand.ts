// A mesh node configured by hand, without agent or controller: one wireguard-go interface per
// peer and FRR (zebra, bfdd, bgpd) peering over each, the way ENVIRONMENT.md verified it. The
// harness self-test uses it, and bench:lab's cold-mesh baseline (same wireguard-go, FRR defaults
// and BFD timers as the agent's config: BFD_TIMERS in packages/netcfg).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BFD_TIMERS } from "@meshover/netcfg";
import type { Lab, TLabNode } from "./create-lab";
import { runCommand } from "./run-command";

const BASE_PORT = 51820;

/** The node's IPv4 address in a hand-built mesh. */
export const handIpv4Of = (node: Pick<TLabNode, "index">) => `10.128.0.${node.index}`;
/** The node's IPv6 address in a hand-built mesh. */
export const handIpv6Of = (node: Pick<TLabNode, "index">) => `fd00:6d6f::${node.index}`;

/** A WireGuard key pair from `wg genkey` / `wg pubkey`. */
export async function generateKeyPair() {
  const priv = (await runCommand(["wg", "genkey"])).stdout.trim();
  const pub = (await runCommand(["wg", "pubkey"], { input: priv })).stdout.trim();
  return { priv, pub };
}

/** Configure `node` by hand: one wireguard-go interface per peer and FRR peering over each. */
export async function configureByHand(
  lab: Lab,
  node: TLabNode,
  peers: TLabNode[],
  keys: Map<TLabNode, { priv: string; pub: string }>,
) {
  const key = keys.get(node)!;
  const keyFile = join(node.dir, "state", "wg.key");
  writeFileSync(keyFile, key.priv, { mode: 0o600 });
  const sh = (argv: string[]) => lab.exec(node, argv);
  await sh(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
  await sh(["ip", "addr", "add", `${handIpv4Of(node)}/32`, "dev", "lo"]);
  await sh(["ip", "-6", "addr", "add", `${handIpv6Of(node)}/128`, "dev", "lo"]);
  const frrInterfaces: string[] = [];
  const neighbors: string[] = [];
  for (const peer of peers) {
    const ifname = `mo${peer.index}`;
    // wireguard-go daemonizes; it stays in the node's namespaces and teardown stops it there.
    await sh(["wireguard-go", ifname]);
    await sh([
      "wg",
      "set",
      ifname,
      "listen-port",
      String(BASE_PORT + peer.index),
      "private-key",
      keyFile,
      "peer",
      keys.get(peer)!.pub,
      "endpoint",
      `[${peer.underlayAddress}]:${BASE_PORT + node.index}`,
      "allowed-ips",
      "0.0.0.0/0,::/0",
    ]);
    await sh(["ip", "link", "set", ifname, "mtu", "1420", "up"]);
    await sh(["ip", "-6", "addr", "add", `fe80::${node.index}/64`, "dev", ifname]);
    frrInterfaces.push(
      `interface ${ifname}`,
      " ipv6 nd ra-interval 1",
      " no ipv6 nd suppress-ra",
      "exit",
    );
    neighbors.push(
      ` neighbor ${ifname} interface remote-as external`,
      ` neighbor ${ifname} bfd profile lab`,
    );
  }
  const config = [
    "frr defaults datacenter",
    `hostname ${node.name}`,
    ...frrInterfaces,
    "bfd",
    " profile lab",
    `  transmit-interval ${BFD_TIMERS.intervalMs}`,
    `  receive-interval ${BFD_TIMERS.intervalMs}`,
    `  detect-multiplier ${BFD_TIMERS.multiplier}`,
    " exit",
    "exit",
    `router bgp ${4200000000 + node.index}`,
    ` bgp router-id ${handIpv4Of(node)}`,
    " no bgp ebgp-requires-policy",
    ...neighbors,
    " address-family ipv4 unicast",
    `  network ${handIpv4Of(node)}/32`,
    " exit-address-family",
    " address-family ipv6 unicast",
    `  network ${handIpv6Of(node)}/128`,
    ...peers.map((peer) => `  neighbor mo${peer.index} activate`),
    " exit-address-family",
    "exit",
    "",
  ].join("\n");
  writeFileSync(join(node.dir, "etc-frr", "frr.conf"), config);
  for (const daemon of ["zebra", "bfdd", "bgpd"]) {
    await sh([`/usr/lib/frr/${daemon}`, "-d", "-F", "datacenter", "-P", "0"]);
  }
  await sh(["vtysh", "-b"]);
}
