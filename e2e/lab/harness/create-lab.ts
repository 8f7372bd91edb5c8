// The lab: an IPv6 underlay bridge in the root namespace ("the internet": its own /64 out of
// 2001:db8::/32 per run, the controller on <prefix>::1) and node namespaces joined to it by veth
// pairs. The /64 differs per run because two bridges with the same on-link prefix in the root
// namespace would steal each other's replies when two labs run at once. Each node also has a
// private mount namespace, held open by a small holder process, where its own folders are mounted
// over /etc/frr, /run/frr and /run/wireguard: FRR and wireguard-go of different nodes never share
// a socket, and a restarted agent finds the daemons of the one before it.
import { randomBytes } from "node:crypto";
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { destroyLab, sweepLeftovers } from "./destroy-lab";
import { REPO_ROOT } from "./lab-env";
import {
  readStartTime,
  startProcess,
  stopProcess,
  waitForExec,
  type TLabProcess,
} from "./manage-process";
import {
  LAB_PREFIX,
  LAB_ROOT,
  labDir,
  readLabRecord,
  writeLabRecord,
  type TLabRecord,
  type TRecordedDatabase,
} from "./record-lab";
import { runCommand, type TRunOptions } from "./run-command";

/** Prefix length of the underlay. */
export const UNDERLAY_PREFIX_LENGTH = 64;

/** One node namespace. */
export interface TLabNode {
  /** Short name, also the name the node joins with: n1, n2, ... */
  name: string;
  index: number;
  netns: string;
  /** Host end of the underlay veth (on the bridge, root namespace). */
  hostIf: string;
  /** Node end of the underlay veth (inside netns). */
  underlayIf: string;
  underlayAddress: string;
  /** Per-node folder: etc-frr, run-frr, wireguard, state, logs. */
  dir: string;
  /** Holds the node's mount namespace open; every node process enters it. */
  holder: TLabProcess;
}

/** What reaching into a node needs: enough to rebuild from a lab record in another shell. */
export type TNodeRef = Pick<TLabNode, "name" | "netns"> & { holder: { pid: number } };

/** A namespace behind a node standing for its VMs/containers. */
export interface TLabWorkload {
  name: string;
  netns: string;
  node: TLabNode;
  /** Prefixes of the link between node and workload. */
  ipv4Prefix: string;
  ipv6Prefix: string;
  /** The workload's own addresses (ping targets). */
  ipv4: string;
  ipv6: string;
}

/** The underlay /64 of run `runId` (without length): 2001:db8:<16 bits from the id>:: */
export function underlayPrefixOf(runId: string) {
  let hash = 0;
  for (const char of runId) hash = (hash * 31 + char.charCodeAt(0)) % 0xfffe;
  return `2001:db8:${(hash + 1).toString(16)}::`;
}

let activeLabs = new Set<Lab>();
let hasSignalHandlers = false;

/** A running lab; create with {@link Lab.create}, always end with {@link Lab.destroy}. */
export class Lab {
  readonly nodes = new Map<string, TLabNode>();
  readonly workloads = new Map<string, TLabWorkload>();
  readonly processes = new Map<string, TLabProcess>();
  private isDestroyed = false;

  private constructor(readonly record: TLabRecord) {}

  get runId() {
    return this.record.runId;
  }
  get dir() {
    return this.record.dir;
  }
  get bridge() {
    return `${LAB_PREFIX}${this.runId}-br`;
  }
  /** This run's underlay prefix, e.g. 2001:db8:4f2a::/64. */
  get underlayPrefix() {
    return `${underlayPrefixOf(this.runId)}/${UNDERLAY_PREFIX_LENGTH}`;
  }
  /** The controller's underlay address (on the bridge, root namespace): <prefix>::1. */
  get controllerAddress() {
    return `${underlayPrefixOf(this.runId)}1`;
  }
  /** Underlay address of node `index`: <prefix>::1:<index>. */
  underlayAddressOf(index: number) {
    return `${underlayPrefixOf(this.runId)}1:${index.toString(16)}`;
  }

  /**
   * Sweep leftovers of dead runs, then create the bridge. `owner` is the process whose life
   * the run is tied to (default: this process); the sweeper removes the run once it is gone.
   */
  static async create(options: { owner?: { pid: number; startTime: string } } = {}) {
    assertRoot();
    await sweepLeftovers((line) => console.warn(`[lab] ${line}`));
    mkdirSync(LAB_ROOT, { recursive: true });
    raiseInotifyInstances();
    const runId = await pickRunId();
    const owner = options.owner ?? {
      pid: process.pid,
      startTime: readStartTime(process.pid) ?? "",
    };
    const record: TLabRecord = {
      runId,
      owner: { name: "owner", ...owner },
      createdAt: new Date().toISOString(),
      dir: labDir(runId),
      netns: [],
      links: [],
      processes: [],
      databases: [],
      info: {},
    };
    const lab = new Lab(record);
    lab.save();
    activeLabs.add(lab);
    installSignalHandlers();
    try {
      await lab.createBridge();
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  /** Reattach to a recorded run (for `lab status`/`down` from another shell). */
  static open(runId: string) {
    const record = readLabRecord(labDir(runId));
    if (!record) throw new Error(`no lab ${runId}`);
    return new Lab(record);
  }

  /** Write the record (after every change, before creating the object it names). */
  save() {
    writeLabRecord(this.record);
  }

  private async createBridge() {
    this.record.links.push(this.bridge);
    this.save();
    // A fixed MAC: otherwise the bridge takes the lowest MAC of its ports and changes it as
    // nodes are added, and nodes that cached the old one lose the controller for seconds.
    const mac = `02:6d:6f:${[...Buffer.from(this.runId).subarray(0, 3)].map((b) => b.toString(16).padStart(2, "0")).join(":")}`;
    await ip(["link", "add", this.bridge, "address", mac, "type", "bridge"]);
    // The root namespace is only an end host on this bridge: never a router, never autoconfigured.
    writeSysctl(`net/ipv6/conf/${this.bridge}/forwarding`, "0");
    writeSysctl(`net/ipv6/conf/${this.bridge}/accept_ra`, "0");
    writeSysctl(`net/ipv6/conf/${this.bridge}/autoconf`, "0");
    writeSysctl(`net/ipv4/conf/${this.bridge}/forwarding`, "0");
    await ip(["link", "set", this.bridge, "up"]);
    await ip([
      "-6",
      "addr",
      "add",
      `${this.controllerAddress}/${UNDERLAY_PREFIX_LENGTH}`,
      "dev",
      this.bridge,
      "nodad",
    ]);
  }

  /** Add node `index` (name n<index>): namespace, underlay veth, folders, mount namespace. */
  async addNode(index: number): Promise<TLabNode> {
    const name = `n${index}`;
    if (this.nodes.has(name)) throw new Error(`node ${name} exists`);
    const netns = `${LAB_PREFIX}${this.runId}-${name}`;
    const hostIf = `${LAB_PREFIX}${this.runId}-h${index}`;
    const underlayIf = `${LAB_PREFIX}${this.runId}-u${index}`;
    const underlayAddress = this.underlayAddressOf(index);
    const dir = join(this.dir, name);
    this.record.netns.push(netns);
    this.record.links.push(hostIf);
    this.save();

    await ip(["netns", "add", netns]);
    await ip(["link", "add", hostIf, "type", "veth", "peer", "name", underlayIf, "netns", netns]);
    // The host end is a bridge port only: no addresses, no IPv6 on it at all.
    writeSysctl(`net/ipv6/conf/${hostIf}/disable_ipv6`, "1");
    await ip(["link", "set", hostIf, "master", this.bridge, "up"]);
    await ip(["-n", netns, "link", "set", "lo", "up"]);
    await runInNetns(netns, ["sysctl", "-q", "-w", `net.ipv6.conf.${underlayIf}.accept_ra=0`]);
    await ip(["-n", netns, "link", "set", underlayIf, "up"]);
    await ip([
      "-n",
      netns,
      "-6",
      "addr",
      "add",
      `${underlayAddress}/${UNDERLAY_PREFIX_LENGTH}`,
      "dev",
      underlayIf,
      "nodad",
    ]);

    const etcFrr = join(dir, "etc-frr");
    const runFrr = join(dir, "run-frr");
    const wireguard = join(dir, "wireguard");
    for (const folder of [etcFrr, runFrr, wireguard, join(dir, "state"), join(dir, "logs")]) {
      mkdirSync(folder, { recursive: true });
    }
    const frr = await readFrrIds();
    for (const file of ["vtysh.conf", "daemons"]) {
      if (existsSync(`/etc/frr/${file}`)) {
        copyFileSync(`/etc/frr/${file}`, join(etcFrr, file));
        chownSync(join(etcFrr, file), frr.uid, frr.gid);
      }
    }
    chownSync(etcFrr, frr.uid, frr.gid);
    chownSync(runFrr, frr.uid, frr.gid);
    // Mount points must exist in the root filesystem (the mounts themselves stay private).
    mkdirSync("/run/wireguard", { recursive: true });
    mkdirSync("/run/frr", { recursive: true });

    const script = [
      // `ip netns exec` already gave us a private (slave) mount namespace.
      `mount --bind '${etcFrr}' /etc/frr`,
      `mount --bind '${runFrr}' /run/frr`,
      `mount --bind '${wireguard}' /run/wireguard`,
      "exec sleep infinity",
    ].join(" && ");
    const holder = this.track(
      startProcess({
        name: `${name}-holder`,
        argv: ["ip", "netns", "exec", netns, "sh", "-c", script],
        logFile: join(dir, "logs", "holder.log"),
      }),
    );
    await waitForExec(holder, "sleep");
    const node: TLabNode = {
      name,
      index,
      netns,
      hostIf,
      underlayIf,
      underlayAddress,
      dir,
      holder,
    };
    this.nodes.set(name, node);
    return node;
  }

  /** The node named `name`, or throw. */
  node(name: string) {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  /**
   * Add a namespace behind `node` standing for its workloads: a veth link with 10.201.<i>.0/24
   * and fd00:6d6f:<i>::/64, the workload at .2 / ::2 with its default route through the node.
   */
  async addWorkload(node: TLabNode): Promise<TLabWorkload> {
    const i = node.index;
    const name = `w${i}`;
    const netns = `${LAB_PREFIX}${this.runId}-${name}`;
    const nodeSide = `${LAB_PREFIX}${this.runId}-g${i}`;
    const workloadSide = `${LAB_PREFIX}${this.runId}-w${i}`;
    this.record.netns.push(netns);
    this.save();
    await ip(["netns", "add", netns]);
    await ip([
      "-n",
      node.netns,
      "link",
      "add",
      nodeSide,
      "type",
      "veth",
      "peer",
      "name",
      workloadSide,
      "netns",
      netns,
    ]);
    const v4 = `10.201.${i}`;
    const v6 = `fd00:6d6f:${i.toString(16)}:`;
    await ip(["-n", netns, "link", "set", "lo", "up"]);
    await ip(["-n", node.netns, "link", "set", nodeSide, "up"]);
    await ip(["-n", netns, "link", "set", workloadSide, "up"]);
    await ip(["-n", node.netns, "addr", "add", `${v4}.1/24`, "dev", nodeSide]);
    await ip(["-n", node.netns, "-6", "addr", "add", `${v6}:1/64`, "dev", nodeSide, "nodad"]);
    await ip(["-n", netns, "addr", "add", `${v4}.2/24`, "dev", workloadSide]);
    await ip(["-n", netns, "-6", "addr", "add", `${v6}:2/64`, "dev", workloadSide, "nodad"]);
    await ip(["-n", netns, "route", "add", "default", "via", `${v4}.1`]);
    await ip(["-n", netns, "-6", "route", "add", "default", "via", `${v6}:1`]);
    const workload: TLabWorkload = {
      name,
      netns,
      node,
      ipv4Prefix: `${v4}.0/24`,
      ipv6Prefix: `${v6}:/64`,
      ipv4: `${v4}.2`,
      ipv6: `${v6}:2`,
    };
    this.workloads.set(name, workload);
    return workload;
  }

  /**
   * A Cilium-like pod behind node (route sources, ROUTING-NOTES §4 A): its own namespace with
   * `eth0` holding `address`/32 and a default route via `gateway` (cilium_host's address), the
   * host side an `lxc<name>` veth with proxy ARP and the pod's /32 route with proto kernel, as
   * Cilium's endpoint routes are. Returns the pod's namespace (recorded, deleted on teardown).
   */
  async addPod(node: TLabNode, name: string, options: { address: string; gateway: string }) {
    const netns = `${LAB_PREFIX}${this.runId}-${name}`;
    const hostSide = `lxc${name}`;
    this.record.netns.push(netns);
    this.save();
    await ip(["netns", "add", netns]);
    await ip([
      "-n",
      node.netns,
      "link",
      "add",
      hostSide,
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      netns,
    ]);
    await ip(["-n", netns, "link", "set", "lo", "up"]);
    await ip(["-n", netns, "link", "set", "eth0", "up"]);
    await ip(["-n", node.netns, "link", "set", hostSide, "up"]);
    await runCommand([
      ...nodeEnter(node),
      "sysctl",
      "-q",
      "-w",
      `net.ipv4.conf.${hostSide}.proxy_arp=1`,
    ]);
    await ip(["-n", netns, "addr", "add", `${options.address}/32`, "dev", "eth0"]);
    await ip(["-n", netns, "route", "add", options.gateway, "dev", "eth0", "scope", "link"]);
    await ip(["-n", netns, "route", "add", "default", "via", options.gateway]);
    await ip([
      "-n",
      node.netns,
      "route",
      "add",
      `${options.address}/32`,
      "dev",
      hostSide,
      "scope",
      "link",
      "proto",
      "kernel",
    ]);
    return netns;
  }

  /** Remember `proc` in the record so teardown (here or elsewhere) stops it by PID. */
  track(proc: TLabProcess) {
    this.processes.set(proc.name, proc);
    this.record.processes.push({
      name: proc.name,
      pid: proc.pid,
      startTime: proc.startTime,
      logFile: proc.logFile,
    });
    this.save();
    return proc;
  }

  /** Stop a tracked process by PID and forget it. */
  async stop(name: string, graceMs = 5000) {
    const proc = this.processes.get(name);
    if (!proc) return;
    await stopProcess(proc, graceMs);
    this.processes.delete(name);
    this.record.processes = this.record.processes.filter((p) => p.pid !== proc.pid);
    this.save();
  }

  /**
   * Start `argv` inside node's network and mount namespaces, logging to the node's logs folder.
   * nsenter execs the command, so the tracked PID is the command's own.
   */
  startInNode(node: TLabNode, name: string, argv: readonly string[], env?: NodeJS.ProcessEnv) {
    return this.track(
      startProcess({
        name,
        argv: [...nodeEnter(node), ...argv],
        logFile: join(node.dir, "logs", `${name}.log`),
        env,
      }),
    );
  }

  /** Start `argv` in the root namespace (the controller), logging into the lab folder. */
  startOnHost(name: string, argv: readonly string[], env?: NodeJS.ProcessEnv, cwd?: string) {
    return this.track(
      startProcess({ name, argv, logFile: join(this.dir, "logs", `${name}.log`), env, cwd }),
    );
  }

  /** Run a command inside node's network and mount namespaces (wg, vtysh, ip). */
  exec(node: TLabNode, argv: readonly string[], options?: TRunOptions) {
    return runCommand([...nodeEnter(node), ...argv], options);
  }

  /**
   * Simulate a reboot of node's data plane: stop every process in its namespace except the
   * holder (wireguard-go, FRR; stop the agent first), which takes the tunnels and routes with
   * them, and drop the overlay addresses from lo.
   */
  async wipeDataPlane(node: TLabNode) {
    const { stdout } = await runCommand(["ip", "netns", "pids", node.netns]);
    const refs = stdout
      .split("\n")
      .map(Number)
      .filter((pid) => pid > 1 && pid !== node.holder.pid)
      .map((pid) => ({ pid, startTime: readStartTime(pid) ?? "" }))
      .filter((ref) => ref.startTime !== "");
    await Promise.all(refs.map((ref) => stopProcess(ref)));
    await ip(["-n", node.netns, "addr", "flush", "dev", "lo", "scope", "global"]);
    return refs.length;
  }

  /** Cut (false) or restore (true) node's underlay link, at the bridge port. */
  async setUnderlay(node: TLabNode, isUp: boolean) {
    await ip(["link", "set", node.hostIf, isUp ? "up" : "down"]);
  }

  /** Record a database the run created so teardown drops it. */
  addDatabase(database: TRecordedDatabase) {
    this.record.databases.push(database);
    this.save();
  }

  /** Remove everything this run created. Safe to call twice. */
  async destroy() {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    activeLabs.delete(this);
    await destroyLab(this.record);
  }
}

/**
 * argv prefix entering node's mount and network namespaces through its holder (working folder:
 * the repository, since entering a mount namespace otherwise starts in /).
 */
export function nodeEnter(node: TNodeRef) {
  return ["nsenter", "-t", String(node.holder.pid), "-m", "-n", `--wd=${REPO_ROOT}`, "--"];
}

/** Run `argv` in a network namespace only (ping and ip need no mount namespace). */
export function runInNetns(netns: string, argv: readonly string[], options?: TRunOptions) {
  return runCommand(["ip", "netns", "exec", netns, ...argv], options);
}

async function ip(args: readonly string[]) {
  await runCommand(["ip", ...args]);
}

/** Inotify instances the lab needs at least: every wireguard-go process holds one. */
const MIN_INOTIFY_INSTANCES = 1024;

/**
 * Each wireguard-go (one per peer per node) holds an inotify instance for its control socket,
 * and root may have only `fs.inotify.max_user_instances` (128 by default) of them machine-wide:
 * 12 nodes (132 interfaces) already fail with "too many open files". Raise the limit (never
 * lower it) and say so.
 */
function raiseInotifyInstances() {
  const path = "/proc/sys/fs/inotify/max_user_instances";
  const current = Number(readFileSync(path, "utf8").trim());
  if (current >= MIN_INOTIFY_INSTANCES) return;
  writeFileSync(path, String(MIN_INOTIFY_INSTANCES));
  console.warn(
    `[lab] raised fs.inotify.max_user_instances ${current} -> ${MIN_INOTIFY_INSTANCES} (one per wireguard-go)`,
  );
}

function writeSysctl(path: string, value: string) {
  writeFileSync(`/proc/sys/${path}`, value);
}

async function readFrrIds() {
  const uid = Number((await runCommand(["id", "-u", "frr"])).stdout.trim());
  const gid = Number((await runCommand(["id", "-g", "frr"])).stdout.trim());
  return { uid, gid };
}

/** A run id no current object uses: 4 characters, so link names stay within 15 bytes. */
async function pickRunId() {
  const { stdout: links } = await runCommand(["ip", "-o", "link", "show"]);
  const { stdout: routes } = await runCommand(["ip", "-6", "route", "show"]);
  for (let attempt = 0; attempt < 20; attempt++) {
    const id = randomBytes(8)
      .toString("base64")
      .replaceAll(/[^a-z0-9]/g, "")
      .slice(0, 4);
    if (id.length < 4) continue;
    if (existsSync(labDir(id)) || links.includes(`${LAB_PREFIX}${id}-`)) continue;
    if (routes.includes(underlayPrefixOf(id))) continue;
    return id;
  }
  throw new Error("could not pick a free lab run id");
}

function assertRoot() {
  if (process.getuid?.() !== 0) throw new Error("the network lab needs root");
}

function installSignalHandlers() {
  if (hasSignalHandlers) return;
  hasSignalHandlers = true;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      const labs = [...activeLabs];
      activeLabs = new Set();
      console.warn(`[lab] ${signal}: tearing down ${labs.length} lab(s)`);
      void Promise.allSettled(labs.map((lab) => lab.destroy())).finally(() => process.exit(130));
    });
  }
}
