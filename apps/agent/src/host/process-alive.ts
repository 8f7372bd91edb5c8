// Supervision of processes the agent started, by PID (they outlive the agent by design, so
// the agent cannot wait() on them after a restart).
import { readFileSync } from "node:fs";

/** True when `pid` runs and its command line contains `marker` (guards against PID reuse). */
export function isProcessAlive(pid: number, marker: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmdline.split("\0").some((arg) => arg.includes(marker))) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie (state Z) is dead for our purposes.
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Send SIGTERM to a process we started, if it is still ours; then wait for it to go. */
export async function stopProcess(pid: number, marker: string, timeoutMs = 3000): Promise<void> {
  if (!isProcessAlive(pid, marker)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid, marker)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
