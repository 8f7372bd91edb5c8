import { checkDatabase, readControllerEnv } from "@meshover/api";
import { getDb } from "@meshover/api/db";

export const dynamic = "force-dynamic";

/** Liveness and database status: 200 when the database answers, 503 when it does not. */
export async function GET() {
  const env = readControllerEnv();
  // The probe is public: the database's error text (host, port, role) goes to the log only.
  const { error, ...database } = await checkDatabase({ db: getDb() });
  if (error) console.error("database health check failed:", error);
  const body = {
    status: database.status === "up" ? "ok" : "degraded",
    database: { ...database, mode: env.MESHOVER_EMBEDDED_DB === "1" ? "embedded" : "postgres" },
  };
  return Response.json(body, {
    status: database.status === "up" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
