// The installer and the agent packages a server downloads (apps/agent/dist/downloads, built by
// `npm start` / `npm run build`), looked up from the controller's working folder.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The folder holding install.sh, the .deb files and SHA256SUMS, or null when not built. */
export function findAgentDownloads(cwd: string = process.cwd()): string | null {
  const candidates = [
    resolve(cwd, "apps/agent/dist/downloads"),
    resolve(cwd, "../agent/dist/downloads"),
  ];
  return candidates.find((dir) => existsSync(join(dir, "SHA256SUMS"))) ?? null;
}

/**
 * The file names a server may download: SHA256SUMS and what it lists. Requests name one of
 * these exactly, so nothing else in (or outside) the folder can be read.
 */
export function listAgentDownloads(dir: string): string[] {
  const names = readFileSync(join(dir, "SHA256SUMS"), "utf8")
    .split("\n")
    .map((line) => line.split(/\s+/)[1])
    .filter((name): name is string => Boolean(name));
  return ["SHA256SUMS", ...names];
}

/** The placeholder install.sh carries for the controller URL. */
export const CONTROLLER_URL_PLACEHOLDER = "__MESHOVER_CONTROLLER_URL__";

/** install.sh with the controller's URL filled in (what `curl …/install.sh | sudo sh` runs). */
export function renderInstaller(script: string, controllerUrl: string): string {
  return script.replace(
    `CONTROLLER_URL="${CONTROLLER_URL_PLACEHOLDER}"`,
    `CONTROLLER_URL="${controllerUrl.replace(/[^A-Za-z0-9:/.[\]_~%-]/g, "")}"`,
  );
}

/** Text to answer with when the downloads are missing. */
export const DOWNLOADS_MISSING =
  "The agent downloads are not built on this controller: run `npm run build -w @meshover/agent` (npm start does it).\n";
