import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The agent bundle (apps/agent/dist), looked up from the controller's working directory. */
function findAgentBundle(): string | null {
  const cwd = process.cwd();
  const candidates = [
    resolve(cwd, "apps/agent/dist/meshover-agent.mjs"),
    resolve(cwd, "../agent/dist/meshover-agent.mjs"),
  ];
  return candidates.find((path) => existsSync(path)) ?? null;
}

/**
 * The agent as one file, for the join command (`curl -o meshover-agent.mjs …`). Public like a
 * release download: it holds no secret; joining still needs a token.
 */
export async function GET() {
  const path = findAgentBundle();
  if (!path) {
    return new Response(
      "The agent bundle is not built on this controller: run `npm run build -w @meshover/agent`.\n",
      { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } },
    );
  }
  return new Response(await readFile(/*turbopackIgnore: true*/ path), {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "content-disposition": 'attachment; filename="meshover-agent.mjs"',
      "cache-control": "no-cache",
    },
  });
}
