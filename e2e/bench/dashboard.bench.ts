// Dashboard truth benchmark against a real lab mesh (3 agents, wireguard-go, FRR; root): how
// fast the open topology page shows what happens. Prints
//  - report → page: from a report's arrival at the controller (the node's lastSeenAt) to the
//    page receiving the pushed patch (SSE), median and p95 over a minute of reports;
//  - underlay cut → every link of the cut node drawn red (data-state="down"), and → the node
//    drawn offline, median of 5 cuts (each restored and re-converged before the next);
//  - a key rotation of each node on the idle mesh, request → done (median);
//  - idle CPU during the report window: each agent with the processes it ran and waited for
//    (vtysh, ip, wg: utime + stime + cutime + cstime from /proc) and each node's bgpd.
// Browser and controller share this machine's clock. Run: sudo npm run bench -- dashboard
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { chromium } from "@playwright/test";
import { findAgent } from "../lab/harness/run-agent";
import { readAgentTicks } from "./agent-cpu";
import { saveArtifacts } from "../lab/harness/save-artifacts";
import { LabMesh, waitForBfdUp, waitForSessions } from "../lab/harness/start-mesh";

const NODES = 3;
const CUTS = 5;
const LATENCY_WINDOW_MS = 60_000;

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

/** CPU ticks a process used, itself and (`isWithChildren`) the children it waited for. */
function readTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** The bgpd running in the network namespace of `pid`. */
function findBgpdBeside(pid: number): number | null {
  const netns = readlinkSync(`/proc/${pid}/ns/net`);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (
        cmdline.startsWith("/usr/lib/frr/bgpd") &&
        readlinkSync(`/proc/${entry}/ns/net`) === netns
      )
        return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return null;
}

/** Start measuring CPU of every agent (with its children) and bgpd; returns the reader. */
function startCpuMeter(agentPids: number[]) {
  const hz = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  const bgpdPids = agentPids.map(findBgpdBeside);
  const read = () => ({
    agents: agentPids.map((pid) => {
      const ticks = readAgentTicks(pid);
      return ticks.own + ticks.commands;
    }),
    bgpds: bgpdPids.map((pid) => (pid === null ? 0 : readTicks(pid))),
  });
  const started = { at: performance.now(), ...read() };
  return () => {
    const seconds = (performance.now() - started.at) / 1000;
    const now = read();
    const pct = (after: number[], before: number[]) =>
      after.map((ticks, i) => ((ticks - before[i]!) / hz / seconds) * 100);
    return {
      seconds,
      agentPct: pct(now.agents, started.agents),
      bgpdPct: pct(now.bgpds, started.bgpds),
    };
  };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error("the lab needs root");
  const mesh = await LabMesh.start({
    nodes: NODES,
    databaseServerUrl: process.env.DATABASE_URL,
  });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE *:*"],
  });
  try {
    const members = [...mesh.members.values()];
    await waitForSessions(members, 90_000);
    await waitForBfdUp(members);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Every SSE message with its arrival time (the page's own EventSource, wrapped).
    await page.addInitScript(() => {
      const arrivals: { t: number; data: string }[] = [];
      (window as unknown as { __arrivals: typeof arrivals }).__arrivals = arrivals;
      const Original = window.EventSource;
      window.EventSource = class extends Original {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          this.addEventListener("message", (event: MessageEvent<string>) =>
            arrivals.push({ t: Date.now(), data: event.data }),
          );
        }
      };
    });
    await page.goto(`${mesh.controller.url}/login`);
    await page.getByLabel("E-mail").fill(mesh.controller.adminEmail);
    await page.getByLabel("Password").fill(mesh.controller.adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("live-status").and(page.locator('[data-live="true"]')).waitFor();

    // Report → page.
    await page.evaluate(() => {
      (window as unknown as { __arrivals: unknown[] }).__arrivals.length = 0;
    });
    const readCpu = startCpuMeter(members.map((member) => findAgent(mesh.lab, member.node)!.pid));
    await page.waitForTimeout(LATENCY_WINDOW_MS);
    const cpu = readCpu();
    const arrivals = await page.evaluate(
      () => (window as unknown as { __arrivals: { t: number; data: string }[] }).__arrivals,
    );
    const latencies: number[] = [];
    for (const { t, data } of arrivals) {
      if (!data.includes('"kind":"reports"')) continue;
      for (const match of data.matchAll(/"lastSeenAt":"([^"]+)"/g))
        latencies.push(t - Date.parse(match[1]!));
    }
    console.log(`dashboard, ${NODES}-node lab mesh, Chromium:`);
    console.log(
      `  report → page (SSE patch received): median ${percentile(latencies, 0.5)} ms, p95 ${percentile(latencies, 0.95)} ms (${latencies.length} reports)`,
    );

    const list = (values: number[]) => values.map((value) => value.toFixed(2)).join(", ");
    console.log(
      `  idle CPU over ${cpu.seconds.toFixed(0)} s, % of one core per node: agent with its commands ${list(cpu.agentPct)}; bgpd ${list(cpu.bgpdPct)}`,
    );

    // Underlay cut → red / offline.
    const cut = mesh.member(`n${NODES}`);
    const redMs: number[] = [];
    const offlineMs: number[] = [];
    const isAllEstablished = () =>
      page.evaluate((id) => {
        const labels = [
          ...document.querySelectorAll(`[data-testid^="link-label-"][data-testid*="${id}"]`),
        ];
        return (
          labels.length > 0 && labels.every((el) => el.getAttribute("data-state") === "established")
        );
      }, cut.view.nodeId);
    for (let trial = 0; trial < CUTS; trial++) {
      // Settled: established on the page for two report intervals in a row (after a restore the
      // cut node's reports lag its sessions, so the page briefly shows its last Connect).
      let settledSince = 0;
      const deadline = Date.now() + 180_000;
      while (Date.now() - settledSince < 12_000 || settledSince === 0) {
        if (Date.now() > deadline) {
          const labels = await page.evaluate(() =>
            [...document.querySelectorAll('[data-testid^="link-label-"]')].map(
              (el) => `${el.getAttribute("data-testid")}=${el.getAttribute("data-state")}`,
            ),
          );
          const dir = await saveArtifacts(mesh.lab, "bench-dashboard");
          throw new Error(
            `trial ${trial + 1}: the page did not settle on established (${labels.join(", ")}; red so far ${redMs.join(", ")} ms; logs in ${dir})`,
          );
        }
        if (await isAllEstablished()) settledSince ||= Date.now();
        else settledSince = 0;
        await page.waitForTimeout(250);
      }
      const cutAt = Date.now();
      await mesh.lab.setUnderlay(cut.node, false);
      try {
        await page.waitForFunction(
          (id) => {
            const labels = [
              ...document.querySelectorAll(`[data-testid^="link-label-"][data-testid*="${id}"]`),
            ];
            return (
              labels.length > 0 && labels.every((el) => el.getAttribute("data-state") === "down")
            );
          },
          cut.view.nodeId,
          { timeout: 60_000, polling: 50 },
        );
        redMs.push(Date.now() - cutAt);
        await page
          .getByTestId(`topology-node-${cut.view.name}`)
          .and(page.locator('[data-online="false"]'))
          .waitFor({ timeout: 60_000 });
        offlineMs.push(Date.now() - cutAt);
      } finally {
        await mesh.lab.setUnderlay(cut.node, true);
      }
      await waitForSessions(members, 120_000);
      await waitForBfdUp(members);
    }
    // Key rotation on the idle mesh: from the request to every peer's handshake with the new
    // key (the controller's requestedAt → completedAt), one node after another
    // (BENCH_DASHBOARD_ROTATIONS=0 skips it).
    const rotationMs: number[] = [];
    const rotated = process.env.BENCH_DASHBOARD_ROTATIONS === "0" ? [] : members;
    for (const member of rotated) {
      const started = await mesh.api.mutate<{ rotations: { id: string }[] }>("key.rotate", {
        nodeId: member.view.nodeId,
      });
      const id = started.rotations[0]?.id;
      const deadline = Date.now() + 180_000;
      for (;;) {
        const [latest] = await mesh.api.query<
          { id: string; status: string; requestedAt: Date; completedAt: Date | null }[]
        >("key.listRotations", { nodeId: member.view.nodeId, limit: 1 });
        if (latest && latest.id === id && latest.status === "done" && latest.completedAt) {
          rotationMs.push(
            new Date(latest.completedAt).getTime() - new Date(latest.requestedAt).getTime(),
          );
          break;
        }
        if (latest?.status === "failed") throw new Error(`rotation of ${member.view.name} failed`);
        if (Date.now() > deadline) throw new Error(`rotation of ${member.view.name} timed out`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await waitForSessions(members, 120_000);
    }
    console.log(
      `  underlay cut → links red: median ${percentile(redMs, 0.5)} ms (runs: ${redMs.join(", ")} ms)`,
    );
    console.log(
      `  underlay cut → node offline: median ${percentile(offlineMs, 0.5)} ms (runs: ${offlineMs.join(", ")} ms)`,
    );
    console.log(
      rotationMs.length === 0
        ? "  key rotation: skipped (BENCH_DASHBOARD_ROTATIONS=0)"
        : `  key rotation on the idle mesh (request → every peer on the new key): median ${percentile(rotationMs, 0.5)} ms (runs: ${rotationMs.join(", ")} ms)`,
    );
  } finally {
    await browser.close();
    await mesh.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
