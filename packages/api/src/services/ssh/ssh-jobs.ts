// In-memory progress of SSH bootstrap jobs. Only progress lives here (step states, preflight
// results, the fingerprint) — never the credential, which exists only inside the running job.
// Jobs are per controller process: the dashboard polls the replica that started the job
// (fine for one process; several replicas would need sticky sessions or jobs in the database).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ZPreflightCheck } from "./evaluate-preflight";

/** One step of a job as the dashboard lists it. */
export const ZSshStep = z.object({
  id: z.enum(["connect", "preflight", "upload", "token", "join", "start", "report"]),
  label: z.string(),
  status: z.enum(["pending", "running", "done", "failed", "skipped"]),
  detail: z.string().nullable(),
});

/** A job's visible state, as the dashboard polls it (never any credential). */
export const ZSshJobView = z.object({
  id: z.uuid(),
  mode: z.enum(["preflight", "install"]),
  host: z.string(),
  port: z.number(),
  fingerprint: z.string(),
  status: z.enum(["running", "done", "failed"]),
  error: z.string().nullable(),
  steps: z.array(ZSshStep),
  checks: z.array(ZPreflightCheck).nullable(),
  nodeId: z.string().nullable(),
  nodeName: z.string().nullable(),
});

/** One step of a job as the dashboard lists it. */
export type TSshStep = z.infer<typeof ZSshStep>;

/** A job's whole state: the visible part plus who started it and when. */
export type TSshJob = z.infer<typeof ZSshJobView> & {
  ownerId: string;
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
