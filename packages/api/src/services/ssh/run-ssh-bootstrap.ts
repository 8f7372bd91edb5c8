// The SSH bootstrap of one server: connect with the confirmed host key, preflight, and (in
// install mode) run the same installer as the one-line install (install.sh, uploaded over SFTP)
// with a fresh single-use token on its stdin: it installs the packages and the agent, joins,
// starts the agent under systemd (or a supervising shell loop without systemd) and waits for the
// first report. Each step updates the job so the dashboard shows progress; every failure names
// what to do next.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { TPrismaClient } from "@meshover/prisma";
import { ServiceError } from "../../lib/service-error";
import { PREFLIGHT_SCRIPT, evaluatePreflight } from "./evaluate-preflight";
import { type TSshAuth, type TSshSession, openSshSession } from "./open-ssh-session";
import {
  REMOTE_LOG_FILE,
  REMOTE_PID_FILE,
  type TRequestedFrrMode,
  chooseFrrMode,
} from "./plan-agent-service";
import { type TSshJob, finishSshJob, updateSshStep } from "./ssh-jobs";

/** How long the installer waits for the new node's first health report (seconds). */
const REPORT_WAIT_SEC = 90;
/** The installer's whole run: packages from the distribution can take minutes. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;

/**
 * The installer built by `npm run build -w @meshover/agent` (apps/agent/dist/downloads), looked
 * up from the cwd: the same install.sh the controller serves at /install.sh.
 */
export function findInstaller(cwd: string = process.cwd()): string | null {
  const candidates = [
    resolve(cwd, "apps/agent/dist/downloads/install.sh"),
    resolve(cwd, "../agent/dist/downloads/install.sh"),
    resolve(cwd, "../../apps/agent/dist/downloads/install.sh"),
  ];
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** Quote a value for a POSIX shell command line. */
export function quoteShell(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A node name derived from a host name (the mesh's naming rule). */
export function deriveNodeName(hostname: string): string {
  const name = hostname
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/g, "");
  return name || "node";
}

async function runChecked(
  session: TSshSession,
  command: string,
  what: string,
  options: { stdin?: string; timeoutMs?: number } = {},
) {
  const result = await session.exec(command, {
    stdin: options.stdin,
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  if (result.code !== 0) {
    // The installer ends a failure with "what to do: …" on stderr: the last lines carry it.
    const output = (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" / ");
    throw new ServiceError(
      "PRECONDITION_FAILED",
      `${what} failed (exit ${result.code}): ${output || "no output"}`,
    );
  }
  return result.stdout;
}

/** The agent's last few log lines on the server (best effort, for a failure message). */
async function readAgentLogTail(session: TSshSession, sudo: string, hasSystemd: boolean) {
  const command = hasSystemd
    ? `${sudo}journalctl -u meshover-agent.service -n 5 --no-pager -o cat`
    : `${sudo}tail -n 5 ${REMOTE_LOG_FILE}`;
  try {
    const { stdout } = await session.exec(command, { timeoutMs: 10_000 });
    return stdout.trim().split("\n").join(" / ").slice(-800);
  } catch {
    return "";
  }
}

/** Inputs of {@link runSshBootstrap}. `createToken` is the token service (single use). */
export type TRunSshBootstrapOptions = {
  db: TPrismaClient;
  job: TSshJob;
  username: string;
  auth: TSshAuth;
  nodeName?: string;
  controllerUrl: string;
  /** FRR mode the agent runs with; "auto" (default) decides from the preflight. */
  frrMode?: TRequestedFrrMode;
  createToken: (options: { nodeName: string }) => Promise<{ token: string }>;
  /** install.sh to run (default: {@link findInstaller}). */
  installer?: string | null;
};

/** Run the job to the end; never throws (failures end up in the job). */
export async function runSshBootstrap(options: TRunSshBootstrapOptions): Promise<void> {
  const { job } = options;
  let current: Parameters<typeof updateSshStep>[1] = "connect";
  let session: TSshSession | null = null;
  try {
    updateSshStep(job, "connect", "running");
    session = await openSshSession({
      host: job.host,
      port: job.port,
      username: options.username,
      auth: options.auth,
      expectedFingerprint: job.fingerprint,
    });
    updateSshStep(job, "connect", "done", `host key ${job.fingerprint} verified`);

    current = "preflight";
    updateSshStep(job, "preflight", "running");
    const probe = await session.exec(PREFLIGHT_SCRIPT, { timeoutMs: 30_000 });
    const { checks, facts } = evaluatePreflight(probe.stdout);
    job.checks = checks;
    const failed = checks.filter((c) => c.status === "fail");
    if (failed.length > 0) {
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `${failed.length} preflight check(s) failed: ${failed.map((c) => c.label).join(", ")}. Fix them and run again.`,
      );
    }
    const warnings = checks.filter((c) => c.status === "warn").length;
    updateSshStep(
      job,
      "preflight",
      "done",
      warnings > 0
        ? `${checks.length - warnings} checks passed, ${warnings} warning(s)`
        : `${checks.length} checks passed`,
    );
    if (job.mode === "preflight") return finishSshJob(job, null);

    const sudo = facts.isRoot ? "" : "sudo -n ";
    const nodeName = options.nodeName ?? deriveNodeName(facts.hostname);
    job.nodeName = nodeName;
    // A running system bgpd is joined (system mode); otherwise the installer decides (system
    // FRR with systemd, the agent's own daemons without).
    const frrMode =
      options.frrMode && options.frrMode !== "auto"
        ? options.frrMode
        : chooseFrrMode("auto", facts) === "system"
          ? "system"
          : "auto";

    current = "upload";
    updateSshStep(job, "upload", "running");
    const installer = options.installer === undefined ? findInstaller() : options.installer;
    if (!installer) {
      throw new ServiceError(
        "PRECONDITION_FAILED",
        "The installer apps/agent/dist/downloads/install.sh is missing on the controller: run `npm run build -w @meshover/agent` (npm start does it).",
      );
    }
    const staging = `/tmp/meshover-install-${job.id}.sh`;
    await session.upload(installer, staging);
    updateSshStep(job, "upload", "done", `install.sh to ${staging}`);

    current = "token";
    updateSshStep(job, "token", "running");
    const { token } = await options.createToken({ nodeName });
    updateSshStep(job, "token", "done", `single use, for node ${nodeName}`);

    current = "join";
    updateSshStep(job, "join", "running", "install.sh: packages, agent, join");
    // The endpoints the preflight showed the admin, passed explicitly.
    const endpoints = facts.ipv6Addresses.map((address) => ` --endpoint ${quoteShell(address)}`);
    const startedAt = new Date();
    // The token goes over the SSH channel's stdin (`--token-file -`): never on a command line
    // (visible in the server's process list), in the job or in the controller's log.
    const output = await runChecked(
      session,
      `${sudo}sh ${staging} --controller ${quoteShell(options.controllerUrl)} --token-file - --name ${quoteShell(nodeName)} --frr ${frrMode} --wait ${REPORT_WAIT_SEC}${endpoints.join("")}; code=$?; rm -f ${staging}; exit $code`,
      "The installer",
      { stdin: `${token}\n`, timeoutMs: INSTALL_TIMEOUT_MS },
    ).catch(async (error: unknown) => {
      const tail = await readAgentLogTail(session!, sudo, facts.hasSystemd);
      if (tail && error instanceof ServiceError) {
        throw new ServiceError("PRECONDITION_FAILED", `${error.message} Agent log: ${tail}`);
      }
      throw error;
    });
    updateSshStep(job, "join", "done", `joined as ${nodeName}`);

    current = "start";
    const supervisor = /supervisor pid (\d+)/.exec(output);
    const frrDetail = output.includes("(managed mode)") ? "its own FRR daemons" : "the system FRR";
    updateSshStep(
      job,
      "start",
      "done",
      supervisor
        ? `background supervisor pid ${supervisor[1]} (restarts the agent; ${frrDetail}): stop with kill $(cat ${REMOTE_PID_FILE}), log ${REMOTE_LOG_FILE}`
        : `systemd unit meshover-agent.service enabled (${frrDetail})`,
    );

    // The installer saw the agent's first report; confirm the controller has it too.
    current = "report";
    updateSshStep(job, "report", "running");
    const deadline = Date.now() + REPORT_WAIT_SEC * 1000;
    for (;;) {
      const node = await options.db.node.findUnique({
        where: { name: nodeName },
        select: { id: true, lastSeenAt: true },
      });
      if (node) job.nodeId = node.id;
      if (node?.lastSeenAt && node.lastSeenAt >= startedAt) break;
      if (Date.now() > deadline) {
        const tail = await readAgentLogTail(session, sudo, facts.hasSystemd);
        throw new ServiceError(
          "PRECONDITION_FAILED",
          `The agent did not report within ${REPORT_WAIT_SEC} s: check that the server reaches ${options.controllerUrl} and read the agent's log (journalctl -u meshover-agent or ${REMOTE_LOG_FILE}).${tail ? ` Last log lines: ${tail}` : ""}`,
        );
      }
      await new Promise((done) => setTimeout(done, 1000));
    }
    updateSshStep(job, "report", "done", "the node reported in");
    finishSshJob(job, null);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    updateSshStep(job, current, "failed", message);
    finishSshJob(job, message);
  } finally {
    session?.close();
  }
}
