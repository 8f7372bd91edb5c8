// The SSH bootstrap of one server: connect with the confirmed host key, preflight, and (in
// install mode) upload the agent, join with a fresh single-use token, start the agent under
// systemd or a supervising shell loop, then wait until the node reports. Each step updates the
// job so the dashboard shows progress; every failure names what to do next.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { TPrismaClient } from "@meshover/prisma";
import { ServiceError } from "../../lib/service-error";
import { PREFLIGHT_SCRIPT, evaluatePreflight } from "./evaluate-preflight";
import { type TSshAuth, type TSshSession, openSshSession } from "./open-ssh-session";
import {
  REMOTE_AGENT,
  REMOTE_DIR,
  REMOTE_LOG_FILE,
  REMOTE_PID_FILE,
  REMOTE_SUPERVISOR,
  type TRequestedFrrMode,
  buildAgentRunArgs,
  buildReadSupervisorPidCommand,
  buildStartSupervisorCommand,
  chooseFrrMode,
  renderSupervisorScript,
  renderSystemdUnit,
} from "./plan-agent-service";
import { type TSshJob, finishSshJob, updateSshStep } from "./ssh-jobs";

/** How long to wait for the new node's first health report. */
const REPORT_TIMEOUT_MS = 90_000;

/** The agent bundle built by `npm run build -w @meshover/agent`, looked up from the cwd. */
export function findAgentBundle(cwd: string = process.cwd()): string | null {
  const candidates = [
    resolve(cwd, "apps/agent/dist/meshover-agent.mjs"),
    resolve(cwd, "../agent/dist/meshover-agent.mjs"),
    resolve(cwd, "../../apps/agent/dist/meshover-agent.mjs"),
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

async function runChecked(session: TSshSession, command: string, what: string, stdin?: string) {
  const result = await session.exec(command, { stdin, timeoutMs: 120_000 });
  if (result.code !== 0) {
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
  agentBundle?: string | null;
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
    const frrMode = chooseFrrMode(options.frrMode ?? "auto", facts);
    const runArgs = buildAgentRunArgs(frrMode);

    current = "upload";
    updateSshStep(job, "upload", "running");
    const bundle = options.agentBundle === undefined ? findAgentBundle() : options.agentBundle;
    if (!bundle) {
      throw new ServiceError(
        "PRECONDITION_FAILED",
        "The agent bundle apps/agent/dist/meshover-agent.mjs is missing on the controller: run `npm run build -w @meshover/agent`.",
      );
    }
    const staging = `/tmp/meshover-agent-${job.id}.mjs`;
    await session.upload(bundle, staging);
    await runChecked(
      session,
      `${sudo}mkdir -p ${REMOTE_DIR} && ${sudo}install -m 0755 ${staging} ${REMOTE_AGENT} && rm -f ${staging}`,
      "Installing the agent",
    );
    updateSshStep(job, "upload", "done", REMOTE_AGENT);

    current = "token";
    updateSshStep(job, "token", "running");
    const { token } = await options.createToken({ nodeName });
    updateSshStep(job, "token", "done", `single use, for node ${nodeName}`);

    current = "join";
    updateSshStep(job, "join", "running");
    const allowHttp = options.controllerUrl.startsWith("http://") ? " --allow-http" : "";
    // The endpoints the preflight showed the admin, passed explicitly (older agent bundles
    // failed their own lookup on the `{}` entries of `ip -json addr show scope global`).
    const endpoints = facts.ipv6Addresses.map((address) => ` --endpoint ${quoteShell(address)}`);
    // The token goes over the SSH channel's stdin (`--token-file -`): never on a command line
    // (visible in the server's process list), in the job or in the controller's log.
    await runChecked(
      session,
      `${sudo}node ${REMOTE_AGENT} join --controller ${quoteShell(options.controllerUrl)} --token-file - --name ${quoteShell(nodeName)} --frr ${frrMode}${endpoints.join("")}${allowHttp}`,
      "Joining the mesh",
      `${token}\n`,
    );
    updateSshStep(job, "join", "done", `joined as ${nodeName}`);

    current = "start";
    updateSshStep(job, "start", "running");
    const startedAt = new Date();
    const frrDetail = frrMode === "managed" ? "its own FRR daemons" : "the system FRR";
    if (facts.hasSystemd) {
      await runChecked(
        session,
        `${sudo}tee /etc/systemd/system/meshover-agent.service >/dev/null && ${sudo}systemctl daemon-reload && ${sudo}systemctl enable --now meshover-agent.service`,
        "Starting the systemd service",
        renderSystemdUnit(runArgs),
      );
      updateSshStep(
        job,
        "start",
        "done",
        `systemd unit meshover-agent.service enabled (${frrDetail})`,
      );
    } else {
      await runChecked(
        session,
        `${sudo}tee ${REMOTE_SUPERVISOR} >/dev/null && ${sudo}chmod 0755 ${REMOTE_SUPERVISOR}`,
        "Installing the agent supervisor",
        renderSupervisorScript(runArgs),
      );
      await runChecked(
        session,
        `${sudo}sh -c ${quoteShell(buildStartSupervisorCommand())}`,
        "Starting the agent in the background",
      );
      const pid = (
        await runChecked(
          session,
          `${sudo}sh -c ${quoteShell(buildReadSupervisorPidCommand())}`,
          "Checking that the agent supervisor runs",
        )
      ).trim();
      updateSshStep(
        job,
        "start",
        "done",
        `background supervisor pid ${pid} (restarts the agent; ${frrDetail}): stop with kill $(cat ${REMOTE_PID_FILE}), log ${REMOTE_LOG_FILE}`,
      );
    }

    current = "report";
    updateSshStep(job, "report", "running");
    const deadline = Date.now() + REPORT_TIMEOUT_MS;
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
          `The agent did not report within ${REPORT_TIMEOUT_MS / 1000} s: check that the server reaches ${options.controllerUrl} and read the agent's log (journalctl -u meshover-agent or ${REMOTE_LOG_FILE}).${tail ? ` Last log lines: ${tail}` : ""}`,
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
