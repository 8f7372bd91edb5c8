import { z } from "zod";

/** A host name or address (no scheme, no port). */
export const ZSshHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, "a host name or IP address");

/** SSH port. */
export const ZSshPort = z.number().int().min(1).max(65535);

/** A preflight check as the dashboard lists it. */
export const ZPreflightCheck = z.object({
  id: z.string(),
  label: z.string(),
  status: z.enum(["pass", "fail", "warn"]),
  detail: z.string(),
  hint: z.string().nullable(),
});

/** A bootstrap job's visible state (never any credential). */
export const ZSshJobView = z.object({
  id: z.uuid(),
  mode: z.enum(["preflight", "install"]),
  host: z.string(),
  port: z.number(),
  fingerprint: z.string(),
  status: z.enum(["running", "done", "failed"]),
  error: z.string().nullable(),
  steps: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      status: z.enum(["pending", "running", "done", "failed", "skipped"]),
      detail: z.string().nullable(),
    }),
  ),
  checks: z.array(ZPreflightCheck).nullable(),
  nodeId: z.string().nullable(),
  nodeName: z.string().nullable(),
});
