// GET /api/metrics: Prometheus scrape endpoint. With a metrics token in the settings it needs
// `Authorization: Bearer <token>`; without one only localhost may scrape. `?edges=detail` adds
// the per-direction tunnel series.
import { timingSafeEqual } from "node:crypto";
import type { TPrismaClient } from "@meshover/prisma";
import { readClientIp } from "../lib/request-info";
import { hashSecret } from "../lib/secrets";
import { METRICS_CONTENT_TYPE, renderMetrics } from "../services/metrics/render-metrics";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

function isSameHash(a: string, b: string) {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Answer a metrics scrape (401/403 when not allowed). */
export async function handleMetricsRequest({
  req,
  db,
}: {
  req: Request;
  db: TPrismaClient;
}): Promise<Response> {
  const settings = await db.setting.findUniqueOrThrow({
    where: { id: 1 },
    select: { metricsTokenHash: true },
  });
  if (settings.metricsTokenHash) {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
    if (!match || !isSameHash(hashSecret(match[1]!), settings.metricsTokenHash)) {
      return new Response("metrics need Authorization: Bearer <metrics token>\n", {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="meshover metrics"' },
      });
    }
  } else {
    const ip = readClientIp(req.headers);
    if (!ip || !LOOPBACK.has(ip)) {
      return new Response(
        "metrics are served to localhost only until a metrics token is set in the settings\n",
        { status: 403 },
      );
    }
  }
  const edgeDetail = new URL(req.url).searchParams.get("edges") === "detail";
  return new Response(await renderMetrics({ db, edgeDetail }), {
    headers: { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" },
  });
}
