// A lab node reached only over SSH, the target of "add a server over SSH": root's sshd on the
// node's underlay address (throwaway host key; root may log in with a throwaway key only, nothing
// else), inside the node's network and private mount namespaces. The folders the SSH install
// writes (see packages/api/src/services/ssh/plan-agent-service.ts) are bind-mounted from the
// node's folder in that mount namespace, so the install never touches the machine's own files,
// and the agent it starts runs with the node's private /etc/frr, /run/frr and /run/wireguard like
// every lab agent. The supervisor the install starts writes its PID into the node's folder:
// teardown stops it by that PID (never by name), then the lab removes the namespace.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { basename, join } from "node:path";
import type { Lab, TLabNode } from "./create-lab";
import { readStartTime, stopProcess, type TLabProcess } from "./manage-process";
import { runCommand } from "./run-command";
import { sleep } from "./wait-until";

/** The install's supervisor PID file on the server (REMOTE_PID_FILE of plan-agent-service). */
export const INSTALLED_AGENT_PID_FILE = "/run/meshover/agent.pid";

/** Server folders the SSH install writes, each mounted from a folder of the node. */
const PRIVATE_FOLDERS: { folder: string; target: string }[] = [
  { folder: "agent-lib", target: "/usr/local/lib/meshover" },
  // The agent's default state folder: the node's "state" folder, where the lab reads config.json.
  { folder: "state", target: "/var/lib/meshover" },
  { folder: "agent-log", target: "/var/log/meshover" },
  { folder: "agent-run", target: "/run/meshover" },
  // The upload's staging file.
  { folder: "tmp", target: "/tmp" },
];

/** A running SSH lab node. */
export interface TSshLabNode {
  node: TLabNode;
  /** Where the controller connects: the node's underlay address, port 22. */
  host: string;
  port: number;
  username: "root";
  /** OpenSSH private key root logs in with (throwaway, only this node accepts it). */
  privateKey: string;
  /** Host key fingerprint as `ssh-keygen -l` prints it ("SHA256:…"). */
  hostFingerprint: string;
  sshd: TLabProcess;
}

/** Add node `index` to `lab` with sshd running as root in it; waits until sshd accepts. */
export async function addSshNode(lab: Lab, index: number): Promise<TSshLabNode> {
  const node = await lab.addNode(index);
  const holder = String(node.holder.pid);
  for (const { folder, target } of PRIVATE_FOLDERS) {
    const source = join(node.dir, folder);
    mkdirSync(source, { recursive: true, mode: folder === "tmp" ? 0o1777 : 0o755 });
    // The mount point must exist in the root filesystem; the mount itself stays private. The
    // empty folder stays too (like /run/wireguard): removing it would detach the mounts of
    // another run's SSH node that uses it at the same time.
    mkdirSync(target, { recursive: true });
    await runCommand(["nsenter", "-t", holder, "-m", "--", "mount", "--bind", source, target]);
  }
  // A machine with systemd would have the install enable a unit on the machine itself: hide
  // systemd from the node, so it is a server without systemd (the supervised-process path).
  if (existsSync("/run/systemd/system")) {
    await runCommand([
      "nsenter",
      "-t",
      holder,
      "-m",
      "--",
      "mount",
      "-t",
      "tmpfs",
      "none",
      "/run/systemd",
    ]);
  }

  const sshDir = join(node.dir, "ssh");
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const keygen = (file: string) =>
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      `lab-${node.name}`,
      "-f",
      file,
    ]);
  keygen(join(sshDir, "host_key"));
  keygen(join(sshDir, "root_key"));
  writeFileSync(join(sshDir, "authorized_keys"), readFileSync(join(sshDir, "root_key.pub")), {
    mode: 0o600,
  });
  const hostFingerprint = execFileSync("ssh-keygen", ["-l", "-f", join(sshDir, "host_key.pub")])
    .toString()
    .split(" ")[1]!;
  const config = join(sshDir, "sshd_config");
  writeFileSync(
    config,
    [
      "Port 22",
      `ListenAddress ${node.underlayAddress}`,
      `HostKey ${join(sshDir, "host_key")}`,
      `PidFile ${join(sshDir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(sshDir, "authorized_keys")}`,
      // The lab folders belong to root but sit under /run with the usual modes.
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "AllowUsers root",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      // The install uploads the agent over SFTP.
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true });
  const sshd = lab.startInNode(node, `${node.name}-sshd`, [
    "/usr/sbin/sshd",
    "-D",
    "-e",
    "-f",
    config,
  ]);
  await waitForSsh(node.underlayAddress, 22, sshd, 15_000);
  return {
    node,
    host: node.underlayAddress,
    port: 22,
    username: "root",
    privateKey: readFileSync(join(sshDir, "root_key"), "utf8"),
    hostFingerprint,
    sshd,
  };
}

async function waitForSsh(host: string, port: number, sshd: TLabProcess, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (sshd.hasExited()) throw new Error(`sshd exited; see ${sshd.logFile}`);
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (isOpen) return;
    if (performance.now() > deadline) {
      throw new Error(`sshd did not accept on [${host}]:${port}; see ${sshd.logFile}`);
    }
    await sleep(100);
  }
}

/** The live supervisor the install started in `node`, from its PID file, or null. */
export async function findInstalledAgent(node: TLabNode) {
  const file = join(node.dir, "agent-run", basename(INSTALLED_AGENT_PID_FILE));
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 1) return null;
  // Only a process inside this node's namespace: a stale file must never name someone else's.
  const { stdout } = await runCommand(["ip", "netns", "pids", node.netns], { allowFailure: true });
  if (!stdout.split("\n").some((line) => Number(line.trim()) === pid)) return null;
  const startTime = readStartTime(pid);
  return startTime ? { name: `${node.name}-installed-agent`, pid, startTime } : null;
}

/**
 * Record the installed supervisor in the lab record: a teardown from anywhere (this run, `lab
 * down`, the sweeper) then stops it by PID before the rest of the namespace.
 */
export async function trackInstalledAgent(lab: Lab, node: TLabNode) {
  const ref = await findInstalledAgent(node);
  if (!ref) return null;
  if (!lab.record.processes.some((p) => p.pid === ref.pid)) {
    lab.record.processes.push(ref);
    lab.save();
  }
  return ref;
}

/**
 * Stop the installed agent by its supervisor's PID (SIGTERM: the supervisor stops the agent and
 * waits for it). wireguard-go and FRR stay until the lab removes the namespace. Returns the PID.
 */
export async function stopInstalledAgent(node: TLabNode) {
  const ref = await findInstalledAgent(node);
  if (!ref) return null;
  await stopProcess(ref, 15_000);
  return ref.pid;
}

/** The agent process the supervisor `supervisorPid` runs now (its child), or null. */
export async function findSupervisedAgent(node: TLabNode, supervisorPid: number) {
  const { stdout } = await runCommand(["ip", "netns", "pids", node.netns], { allowFailure: true });
  for (const pid of stdout.split("\n").map((line) => Number(line.trim()))) {
    if (!Number.isInteger(pid) || pid <= 1) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // Field 4 (ppid) follows the parenthesised command name.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const startTime = readStartTime(pid);
    if (ppid === supervisorPid && startTime) return { name: `${node.name}-agent`, pid, startTime };
  }
  return null;
}

/** Command lines of the processes in node's namespace (to check what runs, never to kill). */
export async function listNodeCommands(node: TLabNode) {
  const { stdout } = await runCommand(["ip", "netns", "pids", node.netns], { allowFailure: true });
  return stdout
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 1)
    .flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
        return [{ pid, argv }];
      } catch {
        return [];
      }
    });
}
