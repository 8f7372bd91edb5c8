import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  DOWNLOADS_MISSING,
  findAgentDownloads,
  listAgentDownloads,
} from "~/lib/find-agent-downloads";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const TEXT = { "content-type": "text/plain; charset=utf-8" };

/**
 * What install.sh downloads: the agent packages, the one-file agent and SHA256SUMS (only names
 * SHA256SUMS lists). Public like a release download: no secret in them.
 */
export async function GET(_request: Request, context: { params: Promise<{ file: string }> }) {
  const { file } = await context.params;
  const dir = findAgentDownloads();
  if (!dir) return new Response(DOWNLOADS_MISSING, { status: 404, headers: TEXT });
  if (!listAgentDownloads(dir).includes(file)) {
    return new Response(`No download named ${file}.\n`, { status: 404, headers: TEXT });
  }
  const path = join(dir, file);
  const { size } = await stat(/*turbopackIgnore: true*/ path);
  const type = file.endsWith(".deb")
    ? "application/vnd.debian.binary-package"
    : file.endsWith(".mjs")
      ? "text/javascript; charset=utf-8"
      : "text/plain; charset=utf-8";
  const body = Readable.toWeb(createReadStream(/*turbopackIgnore: true*/ path)) as ReadableStream;
  return new Response(body, {
    headers: {
      "content-type": type,
      "content-length": String(size),
      "content-disposition": `attachment; filename="${file}"`,
      "cache-control": "no-cache",
    },
  });
}
