// Stopping processes the agent started, by PID (they outlive the agent by design, so the agent
// cannot wait() on them after a restart). Liveness and signals go through the runner.
import type { TRunner } from "../exec/run-command";

/** Send SIGTERM to a process we started, if it is still ours; SIGKILL when it lingers. */
export async function stopProcess(
  runner: TRunner,
  pid: number,
  marker: string,
  timeoutMs = 3000,
): Promise<void> {
  if (!runner.isAlive(pid, marker)) return;
  if (!runner.kill(pid, "SIGTERM")) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!runner.isAlive(pid, marker)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  runner.kill(pid, "SIGKILL");
}
