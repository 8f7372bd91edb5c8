// Route-source helpers the lab test and the VIP bench share (#14): the kernel's view of one
// prefix on a node, and a kube-lb0 for VIPs (one end of a veth pair with both ends up: the lab
// kernel has no dummy links, and an up veth is operational like an up dummy).
import type { Lab } from "./create-lab";
import { runCommand } from "./run-command";
import type { TMeshMember } from "./start-mesh";

/** The kernel's route to exactly one prefix, with its next-hop devices. */
export interface TKernelRoute {
  dst: string;
  type?: string;
  protocol?: string;
  dev?: string;
  nexthops?: { dev: string }[];
  devices: string[];
}

/** The kernel's route to exactly `prefix` in member's main table (null: none). */
export async function readKernelRoute(
  member: TMeshMember,
  prefix: string,
): Promise<TKernelRoute | null> {
  const family = prefix.includes(":") ? "-6" : "-4";
  const { stdout } = await runCommand([
    "ip",
    "-n",
    member.node.netns,
    family,
    "-json",
    "route",
    "show",
    "exact",
    prefix,
  ]);
  const route = (JSON.parse(stdout || "[]") as Omit<TKernelRoute, "devices">[])[0];
  if (!route) return null;
  const devices = route.nexthops ? route.nexthops.map((hop) => hop.dev) : [route.dev ?? ""];
  return { ...route, devices };
}

/** Create an up `kube-lb0` on member, where PureLB would put its VIPs. */
export async function addVipInterface(lab: Lab, member: TMeshMember) {
  const sh = (...argv: string[]) => lab.exec(member.node, argv);
  await sh("ip", "link", "add", "kube-lb0", "type", "veth", "peer", "name", "kube-lb0p");
  await sh("ip", "link", "set", "kube-lb0p", "up");
  await sh("ip", "link", "set", "kube-lb0", "up");
}
