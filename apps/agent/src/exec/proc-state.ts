// What /proc says of a process the agent started (Linux only, as the agent is).
import { readFileSync } from "node:fs";

/** Whether `pid` has ended and waits to be reaped (state Z); throws when there is no such process. */
export function isZombie(pid: number): boolean {
  return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
}
