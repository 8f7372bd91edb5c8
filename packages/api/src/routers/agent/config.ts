import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { hasPerNodePeerLists, makeConfigDelta } from "@meshover/netcfg";
import { markPlainJson } from "../../lib/transformer";
import { readActiveCredentialIds } from "../../services/agent/read-active-credentials";
import { diffCompiledMeshes, type TCompiledMesh } from "../../services/mesh/load-node-configs";
import { readCompiledMesh } from "../../services/mesh/read-node-config";
import { agentProcedure } from "../../trpc";

/** `agent.config` input: tRPC passes the last event id back when the stream reconnects. */
export const ZConfigInput = z
  .object({ lastEventId: z.string().max(32).nullish() })
  .strict()
  .optional();

/**
 * The node's desired config as a stream (SSE), each event tracked by its version: the full
 * config on connect, then on every mesh change a delta against the previous event (the
 * changed peers only; a config at 500 nodes is 120 KB, a one-node change's delta about 1 KB).
 * A reconnecting agent always gets the full current config first, so nothing is lost while it
 * was away, and an agent that cannot apply a delta resubscribes. Rotating the node's
 * credential is a mesh change too: the stream wakes, finds its credential revoked and ends.
 *
 * No `.output()`: tRPC validates a subscription only by wrapping the generator in a zod
 * transform (its `zAsyncIterable` recipe), which would re-parse and copy every event for every
 * subscriber (a 120 KB config per agent at 500 nodes) and drop the plain-JSON mark that lets
 * configs skip superjson. Both event shapes are typed by netcfg (`ZDesiredNodeConfig`, and the
 * delta from `makeConfigDelta`), and the agent validates what it receives.
 */
export const configProcedure = agentProcedure.input(ZConfigInput).subscription(async function* ({
  ctx,
  signal,
}) {
  let sent: TCompiledMesh | null = null;
  while (!signal?.aborted) {
    const mesh = await readCompiledMesh({ db: ctx.db, fanout: ctx.fanout });
    if (sent) {
      const active = await readActiveCredentialIds({ db: ctx.db, fanout: ctx.fanout });
      if (!active.has(ctx.agent.credentialId)) {
        throw new TRPCError({ code: "UNAUTHORIZED", message: "node credential revoked" });
      }
    }
    const nodeId = ctx.agent.nodeId;
    const head = mesh.heads.get(nodeId);
    if (!head) throw new TRPCError({ code: "NOT_FOUND", message: "this node was removed" });
    if (!sent || mesh.version > sent.version) {
      const diff = sent ? diffCompiledMeshes(sent, mesh) : null;
      // Peer lists differ per node when some pairs have no tunnel or spokes peer only with hubs
      // (issue #17): then the delta needs this node's full configs; otherwise its head and the
      // mesh-wide diff do.
      const isPerNode = sent !== null && (hasPerNodePeerLists(sent) || hasPerNodePeerLists(mesh));
      const update =
        sent && diff
          ? markPlainJson(
              isPerNode
                ? makeConfigDelta(
                    Number(sent.version),
                    mesh.configOf(nodeId)!,
                    diff,
                    sent.configOf(nodeId),
                  )
                : makeConfigDelta(Number(sent.version), head, diff),
            )
          : mesh.configOf(nodeId)!;
      sent = mesh;
      yield tracked(String(head.version), update);
    }
    await ctx.fanout.waitForVersionAfter(sent.version, signal);
  }
});
