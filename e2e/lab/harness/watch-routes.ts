// Times route withdrawals from the kernel's own events: `ip -ts monitor route` in each watched
// node logs every route change with a microsecond timestamp, so a failover is measured to the
// moment the last route went away, not to the end of a polling round (polling spawns a process
// per node and family, which on 2 busy cores adds a few hundred milliseconds).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab, TLabNode } from "./create-lab";
import { sleep } from "./wait-until";

/** One route event: when, for which destination, and whether it removed the route. */
interface TRouteEvent {
  atMs: number;
  destination: string;
  isDeleted: boolean;
}

/** Parse `ip -ts monitor route` output (continuation lines of multipath routes are skipped). */
export function parseRouteEvents(text: string): TRouteEvent[] {
  const events: TRouteEvent[] = [];
  for (const line of text.split("\n")) {
    const match = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\d*\] (Deleted )?(\S+)/.exec(line);
    if (!match?.[1] || !match[3]) continue;
    // ip prints local time without an offset; Date parses such a string as local time too.
    events.push({
      atMs: new Date(match[1]).getTime(),
      destination: match[3],
      isDeleted: match[2] !== undefined,
    });
  }
  return events;
}

/**
 * When `destination` was last removed for good in `events` (null when it never was, or came
 * back after its last removal).
 */
export function findFinalRemoval(events: TRouteEvent[], destination: string): number | null {
  let removedAt: number | null = null;
  for (const event of events) {
    if (event.destination !== destination) continue;
    removedAt = event.isDeleted ? event.atMs : null;
  }
  return removedAt;
}

/**
 * When `link` first went down after `afterMs` in `ip -ts monitor link` output (its flags lost
 * UP), or null.
 * Link lines read `[time] 12: name@if2: <BROADCAST,MULTICAST> mtu …`.
 */
export function findLinkDown(text: string, link: string, afterMs: number): number | null {
  for (const line of text.split("\n")) {
    const match =
      /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\d*\] \d+: ([^:@\s]+)[@:][^<]*<([^>]*)>/.exec(
        line,
      );
    if (!match?.[1] || match[2] !== link) continue;
    const atMs = new Date(match[1]).getTime();
    if (atMs >= afterMs && !match[3]!.split(",").includes("UP")) return atMs;
  }
  return null;
}

/**
 * Start a route monitor in each node; `finish` stops them (by PID) and reads the events. With
 * `cutLink` (a lab link on the host), a link monitor on the host gives the kernel's own time of
 * the cut, so spawning `ip link set … down` on a busy machine is not counted as failover time.
 */
export async function watchRoutes(
  lab: Lab,
  nodes: readonly TLabNode[],
  options: { cutLink?: string } = {},
) {
  const names = nodes.map((node) => `route-monitor-${node.name}`);
  nodes.forEach((node, i) => lab.startInNode(node, names[i]!, ["ip", "-ts", "monitor", "route"]));
  const linkMonitor = options.cutLink ? `link-monitor-${options.cutLink}` : null;
  if (linkMonitor) lab.startOnHost(linkMonitor, ["ip", "-ts", "monitor", "link"]);
  // Let every monitor subscribe before anything changes.
  await sleep(300);
  return {
    /**
     * Stop the monitors; milliseconds from the cut (the link's down event when watched, else
     * `sinceMs`, epoch) until the last of `destinations` was removed for good on the last
     * node, or null when some node shows no final removal.
     */
    async finish(destinations: readonly string[], sinceMs: number): Promise<number | null> {
      await Promise.all(
        [...names, ...(linkMonitor ? [linkMonitor] : [])].map((name) => lab.stop(name, 2000)),
      );
      const cutAt =
        (linkMonitor && options.cutLink
          ? findLinkDown(
              readFileSync(join(lab.dir, "logs", `${linkMonitor}.log`), "utf8"),
              options.cutLink,
              sinceMs,
            )
          : null) ?? sinceMs;
      let last = cutAt;
      for (const node of nodes) {
        const name = `route-monitor-${node.name}`;
        const events = parseRouteEvents(
          readFileSync(join(node.dir, "logs", `${name}.log`), "utf8"),
        );
        for (const destination of destinations) {
          const removedAt = findFinalRemoval(events, destination);
          if (removedAt === null) return null;
          last = Math.max(last, removedAt);
        }
      }
      return last - cutAt;
    },
  };
}
