// Route-source helpers the lab test and the VIP bench share (#14): the kernel's view of one
// prefix on a node, every host route a node ever had (route events), and a kube-lb0 for VIPs (one end of a veth pair with both ends up: the lab
// kernel has no dummy links, and an up veth is operational like an up dummy).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "./create-lab";
import { runCommand } from "./run-command";
import type { TMeshMember } from "./start-mesh";
import { sleep } from "./wait-until";
import { parseRouteEvents } from "./watch-routes";

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

/**
 * Watch the kernel routes of `members` (`ip -ts monitor route`, every change, no polling gaps)
 * for host routes to `addresses`; `finish` stops the monitors by PID and says, per member, the
 * most of them routed at any one moment and every one ever routed.
 */
export async function watchHostRoutes(
  lab: Lab,
  members: readonly TMeshMember[],
  addresses: readonly string[],
) {
  const name = (member: TMeshMember) => `host-route-monitor-${member.node.name}`;
  for (const member of members) {
    lab.startInNode(member.node, name(member), ["ip", "-ts", "monitor", "route"]);
  }
  await sleep(300); // let every monitor subscribe before anything changes
  const watched = new Set(addresses.map((address) => address.replace(/\/(32|128)$/, "")));
  return {
    async finish() {
      await Promise.all(members.map((member) => lab.stop(name(member), 2000)));
      return members.map((member) => {
        const text = readFileSync(join(member.node.dir, "logs", `${name(member)}.log`), "utf8");
        const routed = new Set<string>();
        const ever = new Set<string>();
        let most = 0;
        for (const event of parseRouteEvents(text)) {
          const address = event.destination.replace(/\/(32|128)$/, "");
          if (!watched.has(address)) continue;
          if (event.isDeleted) routed.delete(address);
          else routed.add(address);
          if (!event.isDeleted) ever.add(address);
          most = Math.max(most, routed.size);
        }
        return { member, most, ever: [...ever].sort() };
      });
    },
  };
}
