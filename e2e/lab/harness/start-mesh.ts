// A whole lab mesh: the lab, its controller, an admin API session, and agent nodes joined with
// tokens from the admin CLI. Plus the mesh-wide checks the tests and the CLI share: every BGP
// session Established on both sides, all-pairs reachability, tunnel MTU and DF probes.
import { Lab, runInNetns, type TLabNode } from "./create-lab";
import { ApiClient } from "./call-api";
import {
  hasRoute,
  ping,
  readBfdPeers,
  readBgpNeighbors,
  readLinks,
  readWireguard,
  runLimited,
} from "./observe-node";
import { createToken, joinAgent, readAgentView, startAgent, type TAgentView } from "./run-agent";
import { saveArtifacts } from "./save-artifacts";
import { startController, type TLabController } from "./start-controller";
import { LabTimeoutError, waitUntil } from "./wait-until";
import { watchRoutes } from "./watch-routes";

/** A node with a running agent, and who the controller says it is. */
export interface TMeshMember {
  node: TLabNode;
  view: TAgentView;
}

/** Options for {@link LabMesh.start}. */
export interface TStartMeshOptions {
  nodes: number;
  /** PostgreSQL server for the controller's fresh database; unset = embedded PGlite. */
  databaseServerUrl?: string;
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
  /** Let others build apps/web once the controller is up (the CLI; see startController). */
  isBuildLockReleasedWhenReady?: boolean;
  /** Owner process of the run (the CLI's keeper); default this process. */
  owner?: { pid: number; startTime: string };
}

/** Tunnel MTU every tunnel must have on a 1500-byte IPv6 underlay. */
export const TUNNEL_MTU = 1420;

/** A lab with a controller and agent nodes. */
export class LabMesh {
  readonly members = new Map<string, TMeshMember>();
  private readonly log: (line: string) => void;

  private constructor(
    readonly lab: Lab,
    readonly controller: TLabController,
    readonly api: ApiClient,
    log?: (line: string) => void,
  ) {
    this.log = log ?? (() => {});
  }

  /** Create the lab, start the controller, sign in, then join and run `nodes` agents. */
  static async start(options: TStartMeshOptions) {
    const log = options.log ?? (() => {});
    const lab = await Lab.create({ owner: options.owner });
    try {
      log(`lab ${lab.runId}: underlay bridge ${lab.bridge} (${lab.underlayPrefix})`);
      log("starting the controller");
      const controller = await startController(lab, {
        databaseServerUrl: options.databaseServerUrl,
        isBuildLockReleasedWhenReady: options.isBuildLockReleasedWhenReady,
      });
      lab.record.info.controllerUrl = controller.url;
      lab.save();
      log(`controller ready at ${controller.url}`);
      const api = new ApiClient(controller.url);
      await api.logIn(controller.adminEmail, controller.adminPassword);
      const mesh = new LabMesh(lab, controller, api, options.log);
      if (options.nodes > 0) {
        const token = await createToken(api, options.nodes);
        await mesh.addMembers(
          Array.from({ length: options.nodes }, (_, i) => i + 1),
          token,
        );
      }
      return mesh;
    } catch (error) {
      const dir = await saveArtifacts(lab, "mesh-start").catch(() => null);
      if (dir) console.error(`lab start failed; artifacts saved in ${dir}`);
      await lab.destroy().catch((teardownError: unknown) => console.error(teardownError));
      throw error;
    }
  }

  /** Add nodes `indexes`, join each with `token` (one join at a time: allocation order), run agents. */
  async addMembers(indexes: number[], token: string) {
    const nodes: TLabNode[] = [];
    for (const index of indexes) {
      const node = await this.lab.addNode(index);
      this.log(`${node.name}: namespace ${node.netns}, underlay ${node.underlayAddress}`);
      await joinAgent(this.lab, node, this.controller, token);
      startAgent(this.lab, node);
      this.log(`${node.name}: joined, agent running`);
      nodes.push(node);
    }
    for (const node of nodes) await this.waitForConfig(node);
  }

  /** Wait until node's agent received its config, and remember who it is. */
  async waitForConfig(node: TLabNode, timeoutMs = 30_000) {
    const { value } = await waitUntil(
      { name: `${node.name}'s agent receiving its config`, timeoutMs },
      () => {
        const view = readAgentView(node);
        return Promise.resolve({
          isDone: view !== null,
          state: view ? `version ${view.version}` : "no config.json yet",
          value: view,
        });
      },
    );
    const member = { node, view: value! };
    this.members.set(node.name, member);
    this.recordMembers();
    return member;
  }

  /** The member named `name`. */
  member(name: string) {
    const member = this.members.get(name);
    if (!member) throw new Error(`no member ${name}`);
    return member;
  }

  /** Forget `name` (after the API removed it). */
  forget(name: string) {
    this.members.delete(name);
    this.recordMembers();
  }

  private recordMembers() {
    this.lab.record.info.members = [...this.members.values()].map((m) => ({
      name: m.node.name,
      netns: m.node.netns,
      underlay: m.node.underlayAddress,
      ipv4: m.view.ipv4,
      ipv6: m.view.ipv6,
      holderPid: m.node.holder.pid,
    }));
    this.lab.save();
  }

  /** Remove everything. */
  async destroy() {
    await this.lab.destroy();
  }
}

/** Problems with BGP sessions among `members` (empty when all are Established both ways). */
export async function findSessionProblems(members: TMeshMember[]) {
  const problems: string[] = [];
  await Promise.all(
    members.map(async (member) => {
      const neighbors = await readBgpNeighbors(member.node);
      const established = [...neighbors.values()].filter((n) => n.state === "Established");
      if (established.length !== members.length - 1) {
        const states = [...neighbors.values()].map((n) => `${n.name}=${n.state}`).join(" ");
        problems.push(
          `${member.node.name}: ${established.length}/${members.length - 1} Established [${states}]`,
        );
      }
    }),
  );
  return problems.sort();
}

/** Wait until every BGP session among `members` is Established on both sides. */
export async function waitForSessions(members: TMeshMember[], timeoutMs = 60_000) {
  return waitUntil(
    {
      name: `all BGP sessions Established among ${members.length} nodes`,
      timeoutMs,
      intervalMs: 250,
    },
    async () => {
      const problems = await findSessionProblems(members);
      return { isDone: problems.length === 0, state: problems.join("; ") };
    },
  );
}

/** Wait until every BFD session among `members` is up on both sides. */
export async function waitForBfdUp(members: TMeshMember[], timeoutMs = 30_000) {
  return waitUntil({ name: "every BFD peer up", timeoutMs }, async () => {
    const peers = (await Promise.all(members.map((m) => readBfdPeers(m.node)))).flat();
    const down = peers.filter((p) => p.status !== "up").map((p) => `${p.interface}:${p.status}`);
    return {
      isDone: peers.length === members.length * (members.length - 1) && down.length === 0,
      state: `${peers.length} peers; not up: ${down.join(" ")}`,
    };
  });
}

/**
 * Cut `cut`'s underlay and time until every other member has no route to its addresses left:
 * `elapsedMs` from the kernel's route events (polling only bounds it: `polledMs`). The underlay
 * is restored before this returns or throws.
 */
export async function timeWithdrawal(mesh: LabMesh, cut: TMeshMember, timeoutMs = 10_000) {
  const others = [...mesh.members.values()].filter((m) => m !== cut);
  const monitor = await watchRoutes(
    mesh.lab,
    others.map((m) => m.node),
    { cutLink: cut.node.hostIf },
  );
  const cutAt = Date.now();
  await mesh.lab.setUnderlay(cut.node, false);
  try {
    const { elapsedMs: polledMs } = await waitUntil(
      { name: `every other node withdrawing ${cut.node.name}'s routes`, timeoutMs, intervalMs: 20 },
      async () => {
        const still: string[] = [];
        await Promise.all(
          others.map(async (m) => {
            const isRouted =
              (await hasRoute(m.node, cut.view.ipv4)) || (await hasRoute(m.node, cut.view.ipv6));
            if (isRouted) still.push(m.node.name);
          }),
        );
        return { isDone: still.length === 0, state: `still routed on ${still.sort().join(", ")}` };
      },
    );
    const eventMs = await monitor.finish([cut.view.ipv4, cut.view.ipv6], cutAt);
    return { elapsedMs: eventMs ?? polledMs, polledMs };
  } finally {
    await mesh.lab.setUnderlay(cut.node, true);
  }
}

/** One directed probe between two members. */
export interface TPairProbe {
  from: TMeshMember;
  to: TMeshMember;
  family: 4 | 6;
}

/** Every directed pair among `members`, IPv4 and IPv6 (only pairs touching `focus` if given). */
export function listPairs(members: TMeshMember[], focus?: TMeshMember): TPairProbe[] {
  const pairs: TPairProbe[] = [];
  for (const from of members) {
    for (const to of members) {
      if (from === to) continue;
      if (focus && from !== focus && to !== focus) continue;
      pairs.push({ from, to, family: 4 }, { from, to, family: 6 });
    }
  }
  return pairs;
}

/** Address of `member` for `family`. */
export function addressOf(member: TMeshMember, family: 4 | 6) {
  return family === 4 ? member.view.ipv4 : member.view.ipv6;
}

/** The pairs among `pairs` whose single ping fails now. */
export async function findUnreachablePairs(pairs: TPairProbe[], waitSec = 1) {
  const results = await runLimited(
    pairs.map((pair) => async () => {
      const result = await ping(pair.from.node.netns, addressOf(pair.to, pair.family), {
        source: addressOf(pair.from, pair.family),
        waitSec,
      });
      return result.isOk ? null : describePair(pair);
    }),
    12,
  );
  return results.filter((r): r is string => r !== null);
}

/**
 * Wait until every pair in `pairs` answers a ping. Every pair is probed at once and all the
 * time: one shell per source node starts one `ping` per pair that sends every `intervalSec` and
 * exits at its first reply, so `elapsedMs` is when the last pair's first reply arrived (ping's
 * own receive timestamp, `-D`), not when a round of pings came back to us. (A pool of 16
 * one-shot pings made a 12-node mesh under load look 15 s slower than it was: 264 pairs waited
 * their turn behind pairs still failing.) A final round then confirms that all pairs still
 * answer; a pair that fails it is waited for again.
 */
export async function waitForReachability(
  pairs: TPairProbe[],
  timeoutMs = 60_000,
  intervalSec = 0.2,
) {
  const name = `reachability of ${pairs.length} directed pairs (IPv4+IPv6)`;
  const started = performance.now();
  const startedEpochMs = Date.now() - started;
  const deadline = started + timeoutMs;
  const firstReply = new Map<TPairProbe, number>();
  let pending = [...pairs];
  while (pending.length > 0) {
    const deadlineSec = Math.max(1, Math.ceil((deadline - performance.now()) / 1000));
    const replies = await watchFirstReplies(pending, deadlineSec, intervalSec);
    for (const [pair, epochMs] of replies) {
      firstReply.set(pair, Math.max(0, epochMs - startedEpochMs - started));
    }
    const failing = await findUnreachablePairs(pairs);
    pending = pairs.filter((pair) => failing.includes(describePair(pair)));
    if (pending.length > 0 && performance.now() >= deadline) {
      throw new LabTimeoutError(name, timeoutMs, `unreachable: ${failing.join(", ")}`);
    }
  }
  // The pairs that answered last, with when (to see what a slow convergence waited for).
  const latest = [...firstReply.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([pair, ms]) => `${describePair(pair)} ${Math.round(ms)} ms`);
  return { elapsedMs: Math.max(0, ...firstReply.values()), latest };
}

/**
 * Probe every pair in `pairs` at once until it answers or `deadlineSec` passes; returns the
 * epoch time (ms) of each pair's first reply. One `sh` per source node runs its pairs' pings
 * in parallel (addresses passed as arguments, never spliced into the script).
 */
async function watchFirstReplies(pairs: TPairProbe[], deadlineSec: number, intervalSec: number) {
  const script =
    'while [ "$#" -gt 0 ]; do ping -n -D -c 1 -i "$1" -w "$2" -I "$3" "$4" & shift 4; done; wait';
  const bySource = new Map<TMeshMember, TPairProbe[]>();
  for (const pair of pairs) bySource.set(pair.from, [...(bySource.get(pair.from) ?? []), pair]);
  const replies = new Map<TPairProbe, number>();
  await Promise.all(
    [...bySource].map(async ([from, fromPairs]) => {
      const args = fromPairs.flatMap((pair) => [
        String(intervalSec),
        String(deadlineSec),
        addressOf(pair.from, pair.family),
        addressOf(pair.to, pair.family),
      ]);
      const { stdout } = await runInNetns(from.node.netns, ["sh", "-c", script, "sh", ...args], {
        allowFailure: true,
        timeoutMs: (deadlineSec + 10) * 1000,
      });
      // "[1796587329.503164] 64 bytes from 10.128.0.3: icmp_seq=1 ttl=64 time=0.51 ms"
      for (const match of stdout.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from (\S+): icmp_seq/gm)) {
        const pair = fromPairs.find(
          (candidate) => addressOf(candidate.to, candidate.family) === match[2],
        );
        if (pair && !replies.has(pair)) replies.set(pair, Number(match[1]) * 1000);
      }
    }),
  );
  return replies;
}

/** "n1->n2/v4" */
function describePair(pair: TPairProbe) {
  return `${pair.from.node.name}->${pair.to.node.name}/v${pair.family}`;
}

/** Tunnels (WireGuard interfaces) of `member` whose MTU is not {@link TUNNEL_MTU}. */
export async function findMtuProblems(member: TMeshMember) {
  const tunnels = await readWireguard(member.node);
  const links = await readLinks(member.node);
  const problems: string[] = [];
  for (const name of tunnels.keys()) {
    const link = links.find((l) => l.ifname === name);
    if (link?.mtu !== TUNNEL_MTU) problems.push(`${member.node.name}/${name}: mtu ${link?.mtu}`);
  }
  return { count: tunnels.size, problems };
}

/**
 * DF probes the size of a full tunnel packet across every tunnel: 1392 bytes of ICMP payload over
 * IPv4 (1392 + 8 + 20 = 1420) and 1372 over IPv6 (1372 + 8 + 40 = 1420). Returns failures.
 */
export async function findDfProblems(members: TMeshMember[]) {
  const pairs = listPairs(members);
  const results = await runLimited(
    pairs.map((pair) => async () => {
      const size = pair.family === 4 ? TUNNEL_MTU - 28 : TUNNEL_MTU - 48;
      const result = await ping(pair.from.node.netns, addressOf(pair.to, pair.family), {
        source: addressOf(pair.from, pair.family),
        size,
        isDontFragment: true,
      });
      return result.isOk
        ? null
        : `${pair.from.node.name}->${pair.to.node.name}/v${pair.family} (${size} B)`;
    }),
    12,
  );
  return results.filter((r): r is string => r !== null);
}

/**
 * Add a workload namespace behind `member` and attach its prefixes to the node through the API
 * (`node.setPrefixes`), as an admin would for a VM or container subnet.
 */
export async function attachWorkload(mesh: LabMesh, member: TMeshMember) {
  const workload = await mesh.lab.addWorkload(member.node);
  await mesh.api.mutate("node.setPrefixes", {
    nodeId: member.view.nodeId,
    prefixes: [
      { cidr: workload.ipv4Prefix, description: "lab workload" },
      { cidr: workload.ipv6Prefix, description: "lab workload" },
    ],
  });
  return workload;
}

/**
 * Per-neighbour "connections established" counters of every member, keyed `node/neighbour`:
 * a session that reset in between has a higher counter (or is not Established).
 */
export async function readSessionCounters(members: TMeshMember[]) {
  const counters = new Map<string, { established: number; state: string }>();
  for (const member of members) {
    for (const neighbor of (await readBgpNeighbors(member.node)).values()) {
      counters.set(`${member.node.name}/${neighbor.name}`, {
        established: neighbor.connectionsEstablished,
        state: neighbor.state,
      });
    }
  }
  return counters;
}

/** Sessions in `after` that reset or left Established since `before` (keys in `before` only). */
export function findResetSessions(
  before: Map<string, { established: number; state: string }>,
  after: Map<string, { established: number; state: string }>,
  ignore: (key: string) => boolean = () => false,
) {
  const resets: string[] = [];
  for (const [key, was] of before) {
    if (ignore(key)) continue;
    const now = after.get(key);
    if (!now) resets.push(`${key}: gone`);
    else if (now.established !== was.established || now.state !== "Established") {
      resets.push(`${key}: established ${was.established}->${now.established}, ${now.state}`);
    }
  }
  return resets;
}
