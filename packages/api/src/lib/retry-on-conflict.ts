import { isUniqueViolation } from "./service-error";

/**
 * Run `attempt` again when it loses a unique-constraint race (P2002): allocations read what is
 * taken, pick the lowest free value and let the database's unique indexes decide. A short
 * random pause spreads the retries of many concurrent callers.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, maxAttempts = 25): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isUniqueViolation(error) || tries >= maxAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 20));
    }
  }
}

/** The fields a Prisma P2002 error names (which unique constraint was violated). */
export function readConflictTarget(error: unknown): string[] {
  const meta = (error as { meta?: { target?: unknown; driverAdapterError?: unknown } }).meta;
  if (Array.isArray(meta?.target)) return meta.target.map(String);
  if (typeof meta?.target === "string") return [meta.target];
  return [];
}
