// CPU clock ticks of an agent from /proc: its own, and its commands'. The agent starts its
// commands from a long-lived helper (a bash child), so "its commands" are the agent's reaped
// children plus each live child's own and reaped time (daemons are counted once they exit, as
// before: wireguard-go and FRR are not the agent's commands).
import { readdirSync, readFileSync } from "node:fs";

/** utime, stime, cutime, cstime and ppid of `pid` (null when gone). */
function readStat(pid: number | string) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const at = (i: number) => Number(fields[i]);
    return { own: at(11) + at(12), children: at(13) + at(14), ppid: at(1) };
  } catch {
    return null;
  }
}

/** Ticks of the agent `pid` itself and of its commands. */
export function readAgentTicks(pid: number): { own: number; commands: number } {
  const agent = readStat(pid);
  if (!agent) return { own: 0, commands: 0 };
  let commands = agent.children;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const child = readStat(entry);
    if (child?.ppid === pid) commands += child.own + child.children;
  }
  return { own: agent.own, commands };
}
