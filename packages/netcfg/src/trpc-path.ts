// The one place the API's URL path is written: the controller serves it, the dashboard and the
// agent call it. Its own file with no imports, so the browser bundle takes it alone.

/** Path of the controller's tRPC endpoint (dashboard and agents). */
export const TRPC_PATH = "/api/trpc";
