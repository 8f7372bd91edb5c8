// A key rotation as the lab measures it: click (key.rotate), then until the controller says done
// (the rotation time the issue bounds) and until the old tunnels are gone, while every pair's BGP
// sessions are sampled: make-before-break means each pair keeps an Established session at every
// sample (an old one until the new one is up), and no session of a pair without the rotated node
// resets.
import { parseTunnelInterfaceName } from "@meshover/netcfg";
import { closeVty, readBgpNeighbors, readWireguard } from "./observe-node";
import {
  findResetSessions,
  readSessionCounters,
  type LabMesh,
  type TMeshMember,
} from "./start-mesh";
import { sleep, waitUntil } from "./wait-until";

/** What one rotation did. */
export interface TRotationRun {
  /** From the key.rotate call until a poll of key.listRotations saw status "done". */
  doneMs: number;
  /**
   * From the rotation's request to its finish by the controller's own clock (requestedAt to
   * completedAt): the same span without the delay of the poll that sees it.
   */
  finishedMs: number;
  /** From the key.rotate call until the API answered it (the rotation queued, the mesh changed). */
  mutatedMs: number;
  /** From the call until the rotated node and its peers use only the new key (old tunnels gone). */
  settledMs: number;
  /** Samples where a pair had no Established BGP session, as `node->peer@ms`. */
  gaps: string[];
  /** Sessions of pairs without the rotated node that reset meanwhile. */
  resets: string[];
  oldKey: string;
  newKey: string;
}

interface TRotationView {
  status: string;
  newPublicKey: string | null;
  /** ISO times (the lab client does not revive superjson's dates). */
  requestedAt: string;
  completedAt: string | null;
}

// Established sessions per directed pair `node->peer index` (0 for a pair with none at all).
async function readEstablishedPairs(members: TMeshMember[]) {
  const established = new Map<string, number>();
  for (const member of members) {
    for (const other of members) {
      if (other !== member) established.set(`${member.node.name}->${other.view.index}`, 0);
    }
  }
  await Promise.all(
    members.map(async (member) => {
      const neighbors = await readBgpNeighbors(member.node, { isOverVty: true });
      for (const neighbor of neighbors.values()) {
        const parsed = parseTunnelInterfaceName(neighbor.name);
        if (!parsed) continue;
        const key = `${member.node.name}->${parsed.index}`;
        established.set(key, (established.get(key) ?? 0) + (neighbor.isEstablished ? 1 : 0));
      }
    }),
  );
  return established;
}

/** Rotate `rotated`'s key through the API and watch it finish; see the file comment. */
export async function rotateKeyAndWatch(
  mesh: LabMesh,
  rotated: TMeshMember,
  timeoutMs = 30_000,
): Promise<TRotationRun> {
  const members = [...mesh.members.values()];
  const oldKey = [...(await readWireguard(rotated.node)).values()][0]?.publicKey ?? "";
  const countersBefore = await readSessionCounters(members);
  const gaps: string[] = [];
  let isWatching = true;
  const started = performance.now();
  const watcher = (async () => {
    while (isWatching) {
      const at = Math.round(performance.now() - started);
      for (const [pair, count] of await readEstablishedPairs(members)) {
        if (count === 0) gaps.push(`${pair}@${at}ms`);
      }
      await sleep(150);
    }
  })();
  // A failed read (vtysh timing out on an overloaded machine) fails the run in `finally` below,
  // where the mesh is still stopped by its caller, instead of killing the process first.
  watcher.catch(() => undefined);
  try {
    await mesh.api.mutate("key.rotate", { nodeId: rotated.view.nodeId });
    const mutatedMs = performance.now() - started;
    const done = await waitUntil<TRotationView>(
      { name: `rotation of ${rotated.node.name} done`, timeoutMs, intervalMs: 50 },
      async () => {
        const [view] = await mesh.api.query<TRotationView[]>("key.listRotations", {
          nodeId: rotated.view.nodeId,
          limit: 1,
        });
        return { isDone: view?.status === "done", state: view?.status ?? "none", value: view };
      },
    );
    const doneMs = performance.now() - started;
    const newKey = done.value!.newPublicKey!;
    const finishedMs = Date.parse(done.value!.completedAt!) - Date.parse(done.value!.requestedAt);
    await waitUntil(
      { name: `old tunnels of ${rotated.node.name} gone`, timeoutMs, intervalMs: 200 },
      async () => {
        const problems: string[] = [];
        const own = [...(await readWireguard(rotated.node)).values()];
        if (own.some((device) => device.publicKey !== newKey))
          problems.push(`${rotated.node.name} still has a tunnel on the old key`);
        for (const peer of members.filter((m) => m !== rotated)) {
          const devices = [...(await readWireguard(peer.node)).values()];
          if (devices.some((d) => d.peers.some((p) => p.publicKey === oldKey)))
            problems.push(`${peer.node.name} has the old key`);
          if (!devices.some((d) => d.peers.some((p) => p.publicKey === newKey)))
            problems.push(`${peer.node.name} lacks the new key`);
        }
        return { isDone: problems.length === 0, state: problems.join(", ") };
      },
    );
    const settledMs = performance.now() - started;
    const rotatedIndex = rotated.view.index;
    const involvesRotated = (key: string) =>
      key.startsWith(`${rotated.node.name}/`) ||
      parseTunnelInterfaceName(key.split("/")[1] ?? "")?.index === rotatedIndex;
    const resets = findResetSessions(
      countersBefore,
      await readSessionCounters(members),
      involvesRotated,
    );
    return { doneMs, finishedMs, mutatedMs, settledMs, gaps, resets, oldKey, newKey };
  } finally {
    isWatching = false;
    await watcher.finally(() => members.forEach((member) => closeVty(member.node)));
  }
}
