// Every API error reaches the controller's log with the request id the client was given (the
// x-request-id header and data.requestId in the error body), so a report like "request 5f3c…
// failed" leads to the cause. Unexpected errors carry their cause and stack; the client only
// ever sees "internal server error".
import type { TTrpcErrorHook } from "./handle-trpc-request";

/** The two log levels the hook uses (pino's logger fits, so does a console adapter). */
export interface TErrorLog {
  error(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/** An `onError` hook for {@link handleTrpcRequest} that writes every error to `log`. */
export function logTrpcErrors(log: TErrorLog): TTrpcErrorHook {
  return (error, { requestId, path }) => {
    const fields = { requestId, path: path ?? null, code: error.code };
    if (error.code === "INTERNAL_SERVER_ERROR") {
      const cause = error.cause ?? error;
      log.error(
        {
          ...fields,
          error: cause instanceof Error ? (cause.stack ?? cause.message) : String(cause),
        },
        "API request failed",
      );
    } else {
      log.info({ ...fields, message: error.message }, "API request refused");
    }
  };
}
