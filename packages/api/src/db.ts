// The controller's one Prisma client. Next's server bundle and the custom server load this
// module separately, so the client lives on globalThis to keep a single pool per process.
import { createPrismaClient, type TPrismaClient } from "@meshover/prisma";
import { readControllerEnv } from "./env";

const GLOBAL_KEY = Symbol.for("meshover.prisma");
type TGlobalWithDb = typeof globalThis & { [GLOBAL_KEY]?: TPrismaClient };

/** The process-wide Prisma client for DATABASE_URL (set by the server for the embedded DB). */
export function getDb(): TPrismaClient {
  const holder = globalThis as TGlobalWithDb;
  if (!holder[GLOBAL_KEY]) {
    const { DATABASE_URL, MESHOVER_EMBEDDED_DB } = readControllerEnv();
    if (!DATABASE_URL) throw new Error("DATABASE_URL is not set: the server sets it at start");
    // Hundreds of agents report every few seconds; with a real Postgres the round trips, not
    // the CPU, limit ingestion, so the pool is wider. The embedded socket gives its clients
    // turns on one PGlite session, so a few connections are plenty.
    const maxConnections = MESHOVER_EMBEDDED_DB === "1" ? 8 : 25;
    holder[GLOBAL_KEY] = createPrismaClient({ url: DATABASE_URL, maxConnections });
  }
  return holder[GLOBAL_KEY];
}

/** Close the process-wide client, if one was opened. */
export async function closeDb(): Promise<void> {
  const holder = globalThis as TGlobalWithDb;
  const db = holder[GLOBAL_KEY];
  delete holder[GLOBAL_KEY];
  await db?.$disconnect();
}
