import { handleMetricsRequest } from "@meshover/api";
import { getDb } from "@meshover/api/db";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Prometheus metrics (bearer token from the settings, or localhost only). */
export function GET(req: Request) {
  return handleMetricsRequest({ req, db: getDb() });
}
