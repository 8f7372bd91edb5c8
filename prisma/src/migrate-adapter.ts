// Workarounds that let Prisma 6.19.3's WASM schema engine migrate through @prisma/adapter-pg.
// Each one is a known upstream defect; delete it when the defect is fixed.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { createFreshDatabase, dropDatabase } from "../../scripts/lib/postgres.mjs";

// Without these the CLI keeps its pool open and idles 10 s before it exits.
const POOL_OPTIONS = { allowExitOnIdle: true, idleTimeoutMillis: 200 } as const;

// 1) The WASM engine leaves a long timer pending after every command; unref it so the CLI exits.
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = originalSetTimeout(fn, ms, ...args);
  if ((ms ?? 0) >= 5000 && (new Error().stack ?? "").includes("wasm://")) timer.unref();
  return timer;
}) as typeof setTimeout;

// 2) adapter-pg 6.19.3 cannot decode catalog types (name, "char", regproc, ...): report them as
//    text (oid 25) and name[] as text[] (1009).
const CATALOG_OID_AS_TEXT: Record<number, number> = {
  18: 25,
  19: 25,
  22: 25,
  24: 25,
  30: 25,
  194: 25,
  2205: 25,
  2206: 25,
  1003: 1009,
};

interface TQueryResult {
  fields?: { dataTypeID: number }[];
}
type TPerformIO = (this: unknown, query: unknown) => Promise<TQueryResult>;

function remapCatalogTypes<T extends object>(adapter: T): T {
  let proto: unknown = Object.getPrototypeOf(adapter);
  while (proto && !Object.hasOwn(proto, "performIO")) proto = Object.getPrototypeOf(proto);
  if (!proto) return adapter;
  const target = proto as { performIO: TPerformIO; __meshoverPatched?: boolean };
  if (target.__meshoverPatched) return adapter;
  const performIO = target.performIO;
  target.performIO = async function (this: unknown, query: unknown) {
    const result = await performIO.call(this, query);
    for (const field of result.fields ?? []) {
      field.dataTypeID = CATALOG_OID_AS_TEXT[field.dataTypeID] ?? field.dataTypeID;
    }
    return result;
  };
  target.__meshoverPatched = true;
  return adapter;
}

class PrismaPgMigrate extends PrismaPg {
  constructor(private readonly url: string) {
    super({ connectionString: url, ...POOL_OPTIONS });
  }

  override async connect() {
    return remapCatalogTypes(await super.connect());
  }

  // 3) The stock shadow database is dropped while its own pool still holds connections
  //    ("being accessed by other users"): create our own and force-drop it after closing.
  override async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    const shadowUrl = await createFreshDatabase(this.url, name);
    const shadow = remapCatalogTypes(
      await new PrismaPg({ connectionString: shadowUrl, ...POOL_OPTIONS }).connect(),
    );
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await dropDatabase(this.url, name);
    };
    return shadow;
  }
}

/** The adapter the Prisma CLI migrates through (see prisma.config.ts). */
export function createMigrateAdapter(url: string) {
  if (!url) throw new Error("DATABASE_URL must be set for the Prisma CLI");
  return Promise.resolve(new PrismaPgMigrate(url));
}
