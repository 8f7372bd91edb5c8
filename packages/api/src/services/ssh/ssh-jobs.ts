// In-memory progress of SSH bootstrap jobs. Only progress lives here (step states, preflight
// results, the fingerprint) — never the credential, which exists only inside the running job.
// Jobs are per controller process: the dashboard polls the replica that started the job
// (fine for one process; with several replicas this needs sticky sessions, see the report).
import { randomUUID } from "node:crypto";
import type { TPreflightCheck } from "./evaluate-preflight";

/** One step of a job as the dashboard lists it. */
export type TSshStep = {
  id: "connect" | "preflight" | "upload" | "token" | "join" | "start" | "report";
  label: string;
  status: "pending" | "running" | "done" | "failed" | "skipped";
  detail: string | null;
};

/** A job's whole visible state. */
export type TSshJob = {
  id: string;
  ownerId: string;
  mode: "preflight" | "install";
  host: string;
  port: number;
  fingerprint: string;
  status: "running" | "done" | "failed";
  error: string | null;
  steps: TSshStep[];
  checks: TPreflightCheck[] | null;
  nodeId: string | null;
  nodeName: string | null;
  createdAt: Date;
  updatedAt: Date;
};

const STEP_LABELS: Record<TSshStep["id"], string> = {
  connect: "Connect and verify host key",
  preflight: "Preflight checks",
  upload: "Upload the installer",
  token: "Create single-use enrollment token",
  join: "Join the mesh",
  start: "Start the agent",
  report: "Wait for the first report",
};

/** Finished jobs are forgotten after this long. */
const KEEP_MS = 30 * 60_000;

const globalJobs = globalThis as unknown as { __meshoverSshJobs?: Map<string, TSshJob> };
const jobs = (globalJobs.__meshoverSshJobs ??= new Map<string, TSshJob>());

function prune(now: number) {
  for (const [id, job] of jobs)
    if (job.status !== "running" && now - job.updatedAt.getTime() > KEEP_MS) jobs.delete(id);
}

/** Register a new job with every step pending. */
export function createSshJob(options: {
  ownerId: string;
  mode: TSshJob["mode"];
  host: string;
  port: number;
  fingerprint: string;
}): TSshJob {
  prune(Date.now());
  const ids: TSshStep["id"][] =
    options.mode === "preflight"
      ? ["connect", "preflight"]
      : ["connect", "preflight", "upload", "token", "join", "start", "report"];
  const job: TSshJob = {
    id: randomUUID(),
    ...options,
    status: "running",
    error: null,
    steps: ids.map((id) => ({ id, label: STEP_LABELS[id], status: "pending", detail: null })),
    checks: null,
    nodeId: null,
    nodeName: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  jobs.set(job.id, job);
  return job;
}

/** Change one step (and the job's timestamp). */
export function updateSshStep(
  job: TSshJob,
  id: TSshStep["id"],
  status: TSshStep["status"],
  detail: string | null = null,
) {
  const step = job.steps.find((s) => s.id === id);
  if (step) {
    step.status = status;
    step.detail = detail;
  }
  job.updatedAt = new Date();
}

/** End a job: remaining pending steps are skipped. */
export function finishSshJob(job: TSshJob, error: string | null) {
  job.status = error ? "failed" : "done";
  job.error = error;
  for (const step of job.steps) if (step.status === "pending") step.status = "skipped";
  job.updatedAt = new Date();
}

/** A job by id, only for the user who started it. */
export function readSshJob(options: { id: string; ownerId: string }): TSshJob | null {
  const job = jobs.get(options.id);
  return job && job.ownerId === options.ownerId ? job : null;
}
