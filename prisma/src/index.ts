// The one way meshover code gets a Prisma client: through the pg driver adapter, for a real
// PostgreSQL server and for the embedded PGlite socket alike.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/client";

export * from "../generated/client";

/** Options for {@link createPrismaClient}. */
export interface TCreatePrismaClientOptions {
  /** A postgres:// URL (a real server, or the embedded database's socket). */
  url: string;
  /** Pool size; the embedded database multiplexes a few connections onto one PGlite. */
  maxConnections?: number;
}

// Next's server bundle and the custom server may load this module twice: the pool is found
// through a registered symbol on the client, not a module-level map.
const PG_POOL = Symbol.for("meshover.pgPool");

/** A Prisma client talking to `url` through node-postgres. */
export function createPrismaClient({ url, maxConnections }: TCreatePrismaClientOptions) {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections ?? 10 });
  // pg drops a broken idle connection itself; without a listener its error would crash us
  // before Prisma's first query attaches one.
  pool.on("error", () => undefined);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const client = new PrismaClient({ adapter });
  Object.defineProperty(client, PG_POOL, { value: pool });
  return client;
}

/**
 * The node-postgres pool behind a client (the same connections Prisma uses). For the few hot
 * paths that run hundreds of times a second (agent reports, credential checks): Prisma 6
 * compiles every model query in WASM on the event loop (~1.5 ms of CPU each), a plain
 * parameterised statement on the pool costs ~0.1 ms. Types come back as node-postgres parses
 * them (int8 as text, json parsed): select what you need as text, int4 or json.
 */
export function getPgPool(db: object): pg.Pool {
  const pool = (db as { [PG_POOL]?: pg.Pool })[PG_POOL];
  if (!pool) throw new Error("this Prisma client was not made by createPrismaClient");
  return pool;
}

/** The client type, for dependency injection. */
export type TPrismaClient = ReturnType<typeof createPrismaClient>;
