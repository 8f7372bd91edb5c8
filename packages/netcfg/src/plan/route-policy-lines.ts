// Which lines of FRR's running config make up the route-source policy (#14) and the AS path
// limit (#16), so the planner notices when a source, range, speaker, pod CIDR or the limit
// changed and reloads FRR, and never when nothing did. The desired side is the same parser run over the rendered config, so FRR's own
// reordering does not matter (lines are compared as a sorted set); lines FRR leaves out of
// `show running-config` (an `activate` that is the default) are left out here too.
import { FRR_ANCHOR_DISTANCE } from "../derive-frr-config";

/** Top-level lines that are meshover's: its MO-* lists and route-maps, its anchor routes. */
export function isRoutePolicyTopLine(line: string): boolean {
  return (
    /^(ip|ipv6) prefix-list MO-[A-Za-z0-9-]+ /.test(line) ||
    /^bgp route-map delay-timer \d+$/.test(line) ||
    /^bgp as-path access-list MO-[A-Za-z0-9-]+ /.test(line) ||
    /^route-map MO-[A-Za-z0-9-]+ (permit|deny) \d+$/.test(line) ||
    new RegExp(`^(ip|ipv6) route \\S+ [A-Za-z0-9_.:@-]+ ${FRR_ANCHOR_DISTANCE}$`).test(line)
  );
}

/** A `router bgp` line (in `section`) that belongs to the route-source policy, as compared. */
export function toRoutePolicyBgpLine(section: string, line: string): string | null {
  const words = line.split(/\s+/);
  if (words[0] === "redistribute") return `${section}: ${line}`;
  if (words[0] === "bgp" && words[1] === "listen") return `${section}: ${line}`;
  if (words[0] !== "neighbor") return null;
  const isSpeaker = words[1]?.startsWith("MO-SPK-") ?? false;
  if (isSpeaker && words[2] !== "activate") return `${section}: ${line}`;
  if (words[2] === "route-map" || words[2] === "filter-list") return `${section}: ${line}`;
  return null;
}
