// `npm run lab -- up --nodes N [--workload]`, `down`, `status`: see meshover live in network
// namespaces on this machine (root). `up` leaves the lab running (owned by a keeper process) and
// records it under /run/mo-lab, so `status` and `down` work from any shell.
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { destroyLab, sweepLeftovers } from "./harness/destroy-lab";
import { isProcessAlive, readStartTime, stopProcess } from "./harness/manage-process";
import { ping, readBgpNeighbors, setFrrPathspace } from "./harness/observe-node";
import { listLabRecords, type TLabRecord } from "./harness/record-lab";
import { LAB_FRR_PATHSPACE } from "./harness/run-agent";
import {
  LabMesh,
  attachWorkload,
  findDfProblems,
  listPairs,
  waitForReachability,
  waitForSessions,
} from "./harness/start-mesh";

const USAGE = `usage (as root):
  npm run lab -- up [--nodes N] [--workload]   start a controller and N agent nodes (default 3)
  npm run lab -- status                        show running labs
  npm run lab -- down                          stop every lab started with up`;

/** A member as `up` records it for `status`. */
interface TRecordedMember {
  name: string;
  netns: string;
  underlay: string;
  ipv4: string;
  ipv6: string;
  holderPid: number;
}

async function up(nodeCount: number, hasWorkload: boolean) {
  const started = performance.now();
  const log = (line: string) =>
    console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  // The lab outlives this command: a keeper process owns it until `down`.
  const keeper = spawn("sleep", ["infinity"], { detached: true, stdio: "ignore" });
  keeper.unref();
  const owner = { pid: keeper.pid!, startTime: readStartTime(keeper.pid!) ?? "" };
  const mesh = await LabMesh.start({
    nodes: nodeCount,
    databaseServerUrl: process.env.DATABASE_URL,
    log,
    owner,
    isBuildLockReleasedWhenReady: true,
  }).catch(async (error: unknown) => {
    await stopProcess(owner);
    throw error;
  });
  const { lab, controller } = mesh;
  lab.record.processes.unshift({ name: "keeper", ...owner });
  lab.record.info.kind = "cli";
  lab.record.info.admin = { email: controller.adminEmail, password: controller.adminPassword };
  lab.save();
  try {
    const members = [...mesh.members.values()];
    log("waiting for every BGP session to be Established");
    await waitForSessions(members, 90_000);
    log("waiting for all-pairs reachability (IPv4 and IPv6)");
    await waitForReachability(listPairs(members), 60_000);
    const df = await findDfProblems(members);
    log(
      df.length === 0
        ? "DF probes of 1420-byte packets pass on every tunnel"
        : `DF probes failing: ${df.join(", ")}`,
    );
    if (hasWorkload) {
      const workload = await attachWorkload(mesh, members[0]!);
      log(
        `workload ${workload.netns} behind ${members[0]!.node.name}: ${workload.ipv4Prefix}, ${workload.ipv6Prefix} attached via the API`,
      );
      const others = members.slice(1);
      const failing: string[] = [];
      for (const from of others) {
        for (const [source, target] of [
          [from.view.ipv4, workload.ipv4],
          [from.view.ipv6, workload.ipv6],
        ] as const) {
          const result = await ping(from.node.netns, target, {
            source,
            count: 6,
            intervalSec: 0.5,
            waitSec: 1,
          });
          if (result.received === 0) failing.push(`${from.node.name}->${target}`);
        }
      }
      log(
        failing.length === 0
          ? "workload reachable from every node"
          : `workload NOT reachable: ${failing.join(", ")}`,
      );
      lab.record.info.workload = {
        netns: workload.netns,
        node: members[0]!.node.name,
        ipv4: workload.ipv4,
        ipv6: workload.ipv6,
      };
      lab.save();
    }
  } catch (error) {
    console.error(
      `lab is up but not converged: ${error instanceof Error ? error.message : String(error)}`,
    );
    console.error("inspect it with `npm run lab -- status`, remove it with `npm run lab -- down`");
  }
  await printStatus(lab.record);
  log(`done; logs in ${lab.dir}`);
}

async function printStatus(record: TLabRecord) {
  const members = (record.info.members ?? []) as TRecordedMember[];
  const admin = record.info.admin as { email: string; password: string } | undefined;
  const isAlive = isProcessAlive(record.owner);
  console.log(
    `\nlab ${record.runId} (${isAlive ? "running" : "owner gone: will be swept"}), created ${record.createdAt}`,
  );
  const rows = [
    ["node", "overlay IPv4", "overlay IPv6", "underlay", "BGP", "namespace", "holder pid"],
  ];
  for (const member of members) {
    let bgp: string;
    try {
      const ref = { name: member.name, netns: member.netns, holder: { pid: member.holderPid } };
      setFrrPathspace(ref, LAB_FRR_PATHSPACE);
      const neighbors = [...(await readBgpNeighbors(ref)).values()];
      bgp = `${neighbors.filter((n) => n.state === "Established").length}/${neighbors.length} up`;
    } catch {
      bgp = "FRR down";
    }
    rows.push([
      member.name,
      member.ipv4,
      member.ipv6,
      member.underlay,
      bgp,
      member.netns,
      String(member.holderPid),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows)
    console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`);
  const workload = record.info.workload as
    { netns: string; node: string; ipv4: string; ipv6: string } | undefined;
  if (workload)
    console.log(
      `  workload ${workload.netns} behind ${workload.node}: ${workload.ipv4}, ${workload.ipv6}`,
    );
  console.log(
    `\n  dashboard: ${(record.info.controllerUrl as string | undefined) ?? "?"}  (from this machine)`,
  );
  if (admin) console.log(`  sign in:   ${admin.email} / ${admin.password}`);
  console.log(
    `  shell in a node: ip netns exec <namespace> bash   (vtysh: nsenter -t <holder pid> -m -n vtysh -N ${LAB_FRR_PATHSPACE})\n`,
  );
}

async function status() {
  const records = listLabRecords();
  if (records.length === 0) console.log("no lab is running");
  for (const record of records) await printStatus(record);
}

async function down() {
  await sweepLeftovers((line) => console.log(line));
  const records = listLabRecords().filter((record) => record.info.kind === "cli");
  if (records.length === 0) console.log("no lab started with `up` is running");
  for (const record of records) {
    console.log(`removing lab ${record.runId}`);
    await destroyLab(record);
  }
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error("the lab needs root (network namespaces)");
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      nodes: { type: "string", default: "3" },
      workload: { type: "boolean", default: false },
    },
    strict: true,
  });
  switch (command) {
    case "up": {
      const nodes = Number(values.nodes);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 40)
        throw new Error("--nodes must be 1..40");
      await up(nodes, values.workload);
      return;
    }
    case "status":
      return status();
    case "down":
      return down();
    default:
      console.log(USAGE);
      if (command && command !== "help") process.exitCode = 2;
  }
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
