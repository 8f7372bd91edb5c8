import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readControllerEnv } from "@meshover/api";
import { DOWNLOADS_MISSING, findAgentDownloads, renderInstaller } from "~/lib/find-agent-downloads";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * The installer (`curl -fsSL <controller>/install.sh | sudo sh`), with this controller's URL
 * filled in: MESHOVER_PUBLIC_URL, else the address the request came to. Public like a release
 * download: it holds no secret; joining still needs a token.
 */
export async function GET(request: Request) {
  const dir = findAgentDownloads();
  if (!dir) {
    return new Response(DOWNLOADS_MISSING, {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  const script = await readFile(/*turbopackIgnore: true*/ join(dir, "install.sh"), "utf8");
  const controllerUrl = readControllerEnv().MESHOVER_PUBLIC_URL ?? new URL(request.url).origin;
  return new Response(renderInstaller(script, controllerUrl), {
    headers: {
      "content-type": "text/x-shellscript; charset=utf-8",
      "cache-control": "no-cache",
    },
  });
}
