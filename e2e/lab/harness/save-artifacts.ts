// On failure: copy every log the run wrote (agents, controller, FRR, holders) and dump each
// node's FRR JSON, `wg show all dump` and kernel state into .artifacts/lab/<test>/.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "./create-lab";
import { REPO_ROOT } from "./lab-env";
import { collectNodeDumps } from "./observe-node";

/** Where a test's artifacts go. */
export function artifactDir(testName: string) {
  const safe = testName.replaceAll(/[^A-Za-z0-9._-]+/g, "-").slice(0, 100);
  return join(REPO_ROOT, ".artifacts", "lab", safe);
}

/** Save logs and dumps of every node of `lab` for `testName`; returns the folder. */
export async function saveArtifacts(
  lab: Lab,
  testName: string,
  extra: Record<string, string> = {},
) {
  const dir = artifactDir(testName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(lab.dir, "logs")))
    cpSync(join(lab.dir, "logs"), join(dir, "logs"), { recursive: true });
  writeFileSync(join(dir, "lab.json"), JSON.stringify(lab.record, null, 2));
  for (const node of lab.nodes.values()) {
    const nodeDir = join(dir, node.name);
    mkdirSync(nodeDir, { recursive: true });
    if (existsSync(join(node.dir, "logs")))
      cpSync(join(node.dir, "logs"), join(nodeDir, "logs"), { recursive: true });
    // The agent's daemon logs (FRR, wireguard-go) live in its state folder; never copy keys.
    const daemonLogs = join(node.dir, "state", "logs");
    if (existsSync(daemonLogs))
      cpSync(daemonLogs, join(nodeDir, "daemon-logs"), { recursive: true });
    // FRR's own config and log files, when the agent keeps them there.
    if (existsSync(join(node.dir, "etc-frr")))
      cpSync(join(node.dir, "etc-frr"), join(nodeDir, "etc-frr"), { recursive: true });
    const dumps = await collectNodeDumps(lab, node);
    for (const [file, text] of Object.entries(dumps)) writeFileSync(join(nodeDir, file), text);
  }
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  return dir;
}

/** Write a lab test's measured figures to .artifacts/lab/<file> (for the report) and print them. */
export function writeLabFigures(file: string, figures: Record<string, unknown>) {
  mkdirSync(join(REPO_ROOT, ".artifacts", "lab"), { recursive: true });
  writeFileSync(join(REPO_ROOT, ".artifacts", "lab", file), JSON.stringify(figures, null, 2));
  console.log(`[lab] ${file}: ${JSON.stringify(figures)}`);
}

/**
 * A `beforeEach` hook saving the artifacts of a failed test (the lab from `getLab`, when the
 * lab exists by then).
 */
export function saveArtifactsOnFailure(getLab: () => Lab | undefined) {
  return ({
    onTestFailed,
    task,
  }: {
    onTestFailed: (handler: () => Promise<void>) => void;
    task: { name: string };
  }) => {
    onTestFailed(async () => {
      const lab = getLab();
      if (!lab) return;
      const dir = await saveArtifacts(lab, task.name);
      console.error(`[lab] artifacts of the failed test saved in ${dir}`);
    });
  };
}
