import { handleTrpcRequest, logTrpcErrors, readControllerEnv } from "@meshover/api";
import { getDb } from "@meshover/api/db";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// The custom server (src/server/main.ts) answers /api/trpc itself with its pino logger; this
// route serves the API when Next runs alone, logging to the console.
const consoleLog = {
  error: (fields: Record<string, unknown>, message: string) => console.error(message, fields),
  info: (fields: Record<string, unknown>, message: string) => console.info(message, fields),
};

/** The tRPC API (dashboard and agents): queries, mutations and SSE subscriptions. */
function handler(req: Request) {
  return handleTrpcRequest({
    req,
    db: getDb(),
    publicUrl: readControllerEnv().MESHOVER_PUBLIC_URL,
    onError: logTrpcErrors(consoleLog),
  });
}

export { handler as GET, handler as POST };
