import { z } from "zod";
import { ZHealthReport } from "@meshover/netcfg";
import { announceReport } from "../../lib/mesh-fanout";
import { ingestReport } from "../../services/agent/ingest-report";
import { ingestRoutineReport } from "../../services/agent/ingest-routine-report";
import { readPreviousReport, recordReportEvents } from "../../services/events/record-report-events";
import {
  ingestRouteCandidates,
  normalizeRouteCandidates,
} from "../../services/routing/ingest-route-candidates";
import { storeObservedState } from "../../services/routes/store-observed-state";
import { agentProcedure } from "../../trpc";

/** Store the node's health report (HTTP bodies are size-limited by the handler). */
export const reportHealthProcedure = agentProcedure
  .input(ZHealthReport)
  .output(
    z.object({
      meshVersion: z.number().int().nullable(),
      /** The route delta did not fit the stored set: send the full set next time. */
      routesResync: z.boolean(),
    }),
  )
  .mutation(async ({ ctx, input }) => {
    const nodeId = ctx.agent.nodeId;
    const at = new Date();
    // A candidate that is no prefix refuses the whole report before anything is stored.
    if (input.routeCandidates !== null) normalizeRouteCandidates(input.routeCandidates);
    // Nearly every report is routine: one statement stores it and returns what the timeline
    // compares it with. The rest (a new key or endpoints, a rotation to advance) go the general way.
    let previous = await ingestRoutineReport({ db: ctx.db, nodeId, report: input, now: at });
    let result: { meshVersion: number | null } = { meshVersion: null };
    if (!previous) {
      // The timeline compares this report with the samples before it (read before they are
      // replaced as the latest).
      previous = await readPreviousReport({
        db: ctx.db,
        nodeId,
        peerIds: input.peers.map((peer) => peer.peerId),
      });
      result = await ingestReport({ db: ctx.db, nodeId, report: input, now: at });
    }
    // Null: the candidates did not change since the last accepted report.
    if (input.routeCandidates !== null) {
      const routes = await ingestRouteCandidates({
        db: ctx.db,
        nodeId,
        candidates: input.routeCandidates,
        now: at,
      });
      if (routes.meshVersion !== null) result.meshVersion = Number(routes.meshVersion);
    }
    // Routes, drift and re-apply are stored apart, whichever way the report went.
    const { routesResync } = await storeObservedState({
      db: ctx.db,
      nodeId,
      report: input,
      now: at,
    });
    await recordReportEvents({ db: ctx.db, nodeId, previous, report: input, at });
    // Open dashboards redraw from it (topology.watch, node.watch).
    await announceReport(ctx.db, nodeId);
    return { ...result, routesResync };
  });
