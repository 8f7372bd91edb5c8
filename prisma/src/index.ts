// The one way meshover code gets a Prisma client: through the pg driver adapter, for a real
// PostgreSQL server and for the embedded PGlite socket alike.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/client";

export * from "../generated/client";

/** Options for {@link createPrismaClient}. */
export interface TCreatePrismaClientOptions {
  /** A postgres:// URL (a real server, or the embedded database's socket). */
  url: string;
  /** Pool size; the embedded database multiplexes a few connections onto one PGlite. */
  maxConnections?: number;
}

/** A Prisma client talking to `url` through node-postgres. */
export function createPrismaClient({ url, maxConnections }: TCreatePrismaClientOptions) {
  const adapter = new PrismaPg({ connectionString: url, max: maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}

/** The client type, for dependency injection. */
export type TPrismaClient = ReturnType<typeof createPrismaClient>;
