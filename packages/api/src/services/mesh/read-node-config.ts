import type { TDesiredNodeConfig } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import type { MeshFanout } from "../../lib/mesh-fanout";
import { loadNodeConfigs, type TCompiledMesh } from "./load-node-configs";

// One compile per mesh version per controller process, shared by every subscribed agent: a
// change wakes hundreds of subscriptions at once and they must not each query the database.
interface TCacheEntry {
  version: bigint;
  mesh: Promise<TCompiledMesh>;
}
const caches = new WeakMap<MeshFanout, TCacheEntry>();

/** The newest compiled mesh (every node's config), compiled once per version per process. */
export async function readCompiledMesh({
  db,
  fanout,
}: {
  db: TPrismaClient;
  fanout: MeshFanout;
}): Promise<TCompiledMesh> {
  let entry = caches.get(fanout);
  if (!entry || entry.version < fanout.latestVersion) {
    const started = performance.now();
    const created: TCacheEntry = { version: fanout.latestVersion, mesh: loadNodeConfigs({ db }) };
    entry = created;
    caches.set(fanout, created);
    created.mesh.then(
      (mesh) => {
        fanout.recordCompile(mesh.version, mesh.heads.size, performance.now() - started);
        if (mesh.version > created.version) created.version = mesh.version;
        fanout.publish(mesh.version);
      },
      () => {
        if (caches.get(fanout) === created) caches.delete(fanout);
      },
    );
  }
  return entry.mesh;
}

/** The newest compiled config of `nodeId` (null when the node does not exist). */
export async function readNodeConfig(options: {
  db: TPrismaClient;
  fanout: MeshFanout;
  nodeId: string;
}): Promise<TDesiredNodeConfig | null> {
  const mesh = await readCompiledMesh(options);
  return mesh.configOf(options.nodeId) ?? null;
}
