import type { TPrismaClient } from "@meshover/prisma";

/** The database's health as /api/health reports it. */
export interface TDatabaseHealth {
  status: "up" | "down";
  latencyMs: number;
  error?: string;
}

/** Run a trivial query and time it; never throws. */
export async function checkDatabase({ db }: { db: TPrismaClient }): Promise<TDatabaseHealth> {
  const started = performance.now();
  try {
    await db.$queryRaw`SELECT 1`;
    return { status: "up", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: "down",
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
