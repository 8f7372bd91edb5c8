// Read-only looks into a guest over ssh: links, BGP/BFD from the system FRR, the agent's journal.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isModifyingCommand } from "../../lab/harness/run-agent";
import { parseBfdPeers, parseBgpNeighbors } from "@meshover/netcfg";
import type { TGuest, TGuestNet } from "./start-guests";

/** One link of `ip -d -j link show`. */
export interface TGuestLink {
  ifname: string;
  kind: string | null;
  mtu: number;
}

/** The guest's links with their kind (linkinfo.info_kind). */
export async function readGuestLinks(net: TGuestNet, guest: TGuest) {
  const { stdout } = await net.ssh(guest, "ip -d -j link show");
  const links = JSON.parse(stdout) as {
    ifname: string;
    mtu: number;
    linkinfo?: { info_kind?: string };
  }[];
  return links.map((link): TGuestLink => ({
    ifname: link.ifname,
    kind: link.linkinfo?.info_kind ?? null,
    mtu: link.mtu,
  }));
}

/** Global addresses on `device` (without prefix length); empty when the device is missing. */
export async function readGuestAddresses(net: TGuestNet, guest: TGuest, device: string) {
  const { code, stdout } = await net.ssh(guest, `ip -j addr show dev ${device} scope global`, {
    allowFailure: true,
  });
  if (code !== 0) return [];
  const parsed = JSON.parse(stdout) as { addr_info?: { local: string; family: string }[] }[];
  return parsed.flatMap((link) => link.addr_info ?? []).map((info) => info.local);
}

/** BGP neighbours of the guest's system FRR (`vtysh` without a path space), by name. */
export async function readGuestBgp(net: TGuestNet, guest: TGuest) {
  const { stdout } = await net.ssh(guest, "vtysh -c 'show bgp neighbors json'");
  return new Map(parseBgpNeighbors(stdout).map((neighbor) => [neighbor.name, neighbor]));
}

/** BFD peers of the guest's system FRR. */
export async function readGuestBfd(net: TGuestNet, guest: TGuest) {
  const { stdout } = await net.ssh(guest, "vtysh -c 'show bfd peers json'");
  return parseBfdPeers(stdout);
}

/**
 * FRR's own journal lines about sessions (BFD state changes, BGP adjacency changes) since
 * `sinceEpoch` (guest clock, seconds): the evidence of why a session reset.
 */
export async function readFrrSessionEvents(net: TGuestNet, guest: TGuest, sinceEpoch: number) {
  const { stdout } = await net.ssh(
    guest,
    `journalctl -u frr.service -o short-precise --no-pager --since=@${sinceEpoch} | grep -iE 'bfd|adj|down|hold|notification' || true`,
    { allowFailure: true },
  );
  return stdout.trim();
}

/** The guest's clock (seconds since the epoch). */
export async function readGuestEpoch(net: TGuestNet, guest: TGuest) {
  return Number((await net.ssh(guest, "date +%s")).stdout.trim());
}

/** How the guest answered pings while a stall probe ran. */
export interface TStallReport {
  sent: number;
  answered: number;
  maxRttMs: number;
  /** The longest time between two answers (a guest whose vCPU stalls answers nothing). */
  longestSilenceMs: number;
  /** When that silence began (ISO time). */
  longestSilenceAt: string | null;
}

/** Summarize `ping -D -i …` output. */
export function summarizePings(text: string, intervalMs: number): TStallReport {
  const replies: { atMs: number; rttMs: number }[] = [];
  let lastSeq = 0;
  for (const line of text.split("\n")) {
    const match = /^\[(\d+\.\d+)\].*icmp_seq=(\d+).*time=([\d.]+) ms/.exec(line);
    if (!match) continue;
    replies.push({ atMs: Number(match[1]) * 1000, rttMs: Number(match[3]) });
    lastSeq = Math.max(lastSeq, Number(match[2]));
  }
  let longestSilenceMs = 0;
  let longestSilenceAt: string | null = null;
  for (let i = 1; i < replies.length; i++) {
    const gap = replies[i]!.atMs - replies[i - 1]!.atMs;
    if (gap > longestSilenceMs) {
      longestSilenceMs = gap;
      longestSilenceAt = new Date(replies[i - 1]!.atMs).toISOString();
    }
  }
  return {
    sent: lastSeq,
    answered: replies.length,
    maxRttMs: Math.max(0, ...replies.map((r) => r.rttMs)),
    longestSilenceMs: Math.max(longestSilenceMs, intervalMs),
    longestSilenceAt,
  };
}

/**
 * Ping `guest`'s underlay address from the lab bridge (root namespace, lab addresses only) every
 * 100 ms: a guest whose virtual CPU stalls (software emulation on a busy host) stops answering,
 * which tells a stall from a fault of the software under test.
 */
export function startStallProbe(net: TGuestNet, guest: TGuest) {
  const name = `stall-probe-${guest.name}`;
  net.lab.startOnHost(name, ["ping", "-D", "-n", "-i", "0.1", guest.address]);
  return {
    async finish(): Promise<TStallReport> {
      await net.lab.stop(name, 2000);
      return summarizePings(readFileSync(join(net.lab.dir, "logs", `${name}.log`), "utf8"), 100);
    },
  };
}

/** One JSON log line of the agent (pino). */
export interface TJournalLine {
  msg?: string;
  argv?: string[];
  [key: string]: unknown;
}

/** The agent's journal lines (JSON) after `cursor` (or all), and the cursor to read on from. */
export async function readAgentJournal(net: TGuestNet, guest: TGuest, cursor?: string) {
  const after = cursor ? ` --after-cursor='${cursor}'` : "";
  const { stdout } = await net.ssh(
    guest,
    `journalctl -u meshover-agent.service -o cat --no-pager --show-cursor${after}`,
  );
  const lines: TJournalLine[] = [];
  let next = cursor ?? "";
  for (const text of stdout.split("\n")) {
    const mark = /^-- cursor: (.+)$/.exec(text);
    if (mark?.[1]) {
      next = mark[1];
      continue;
    }
    if (!text.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(text) as TJournalLine);
    } catch {
      // a line systemd cut: not one of ours to judge
    }
  }
  return { lines, cursor: next };
}

/**
 * Whether `argv` changes the host: the lab's definition, looking through the `flock LOCK`
 * prefix of system-FRR commands, and counting the agent's locked test/install/reload script.
 */
export function isGuestModifyingCommand(argv: readonly string[]): boolean {
  const command = argv[0]?.endsWith("flock") ? argv.slice(2) : argv;
  if (command[0] === "sh" && command.some((arg) => arg.endsWith("frr-reload.py"))) return true;
  return isModifyingCommand(command);
}

/** Commands in `lines` that change the host, and planned operations. */
export function findModifying(lines: TJournalLine[]) {
  return lines
    .filter(
      (line) =>
        line.msg === "applying plan" ||
        (line.msg === "command" && Array.isArray(line.argv) && isGuestModifyingCommand(line.argv)),
    )
    .map((line) => (line.argv ? line.argv.join(" ") : `${line.msg}: ${JSON.stringify(line)}`));
}

/** Whether `line` is the agent applying the system FRR config with frr-reload.py. */
export function isFrrReload(line: TJournalLine): boolean {
  return (
    line.msg === "command" &&
    Array.isArray(line.argv) &&
    line.argv.some((arg) => arg.endsWith("frr-reload.py")) &&
    line.argv.join(" ").includes("--reload")
  );
}
