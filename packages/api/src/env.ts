// The controller's environment, read and validated in exactly one place.
import { z } from "zod";

const ZControllerEnv = z.object({
  /** postgres:// URL; absent means the embedded PGlite database. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  MESHOVER_DATA_DIR: z.string().min(1).default("./.data"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Public URL of the dashboard, used in printed links; defaults to http://HOST:PORT. */
  MESHOVER_PUBLIC_URL: z.url().optional(),
  MESHOVER_ADMIN_EMAIL: z.email().optional(),
  MESHOVER_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** Set by the server itself when DATABASE_URL points at its embedded PGlite socket. */
  MESHOVER_EMBEDDED_DB: z.enum(["0", "1"]).default("0"),
  MESHOVER_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** PEM certificate chain and key files: set both to serve https directly. */
  MESHOVER_TLS_CERT: z.string().min(1).optional(),
  MESHOVER_TLS_KEY: z.string().min(1).optional(),
  /**
   * "self-signed": without MESHOVER_TLS_CERT/KEY, create a certificate on first start (in the
   * data folder) and serve https; the Add server command then carries its pin.
   */
  MESHOVER_TLS: z.enum(["off", "self-signed"]).default("off"),
  /**
   * "1" behind a reverse proxy: trust its X-Forwarded-For/-Proto/-Host. Otherwise the server
   * overwrites them with what it sees, so clients cannot fake their address (rate limits,
   * localhost-only metrics) or https.
   */
  MESHOVER_TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  /** How long health samples are kept before the hourly prune deletes them. */
  MESHOVER_SAMPLE_RETENTION_HOURS: z.coerce.number().int().min(1).default(168),
});

/** The validated controller environment. */
export type TControllerEnv = z.infer<typeof ZControllerEnv>;

/** Parse `source` (default: process.env); throws one readable error listing every bad variable. */
export function readControllerEnv(source: NodeJS.ProcessEnv = process.env): TControllerEnv {
  const parsed = ZControllerEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join("\n")}`);
  }
  if (Boolean(parsed.data.MESHOVER_TLS_CERT) !== Boolean(parsed.data.MESHOVER_TLS_KEY)) {
    throw new Error("invalid environment:\n  MESHOVER_TLS_CERT and MESHOVER_TLS_KEY go together");
  }
  return parsed.data;
}
