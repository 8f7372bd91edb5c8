import { handleTrpcRequest, readControllerEnv } from "@meshover/api";
import { getDb } from "@meshover/api/db";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The tRPC API (dashboard and agents): queries, mutations and SSE subscriptions. */
function handler(req: Request) {
  return handleTrpcRequest({
    req,
    db: getDb(),
    publicUrl: readControllerEnv().MESHOVER_PUBLIC_URL,
    onError: (error, path) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"}:`, error);
    },
  });
}

export { handler as GET, handler as POST };
