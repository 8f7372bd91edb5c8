// Preflight: one read-only script runs on the server and prints key=value facts; this pure
// function turns them into the pass/fail list the admin sees, each failure with what to do.
import { z } from "zod";

/** The read-only shell script whose output {@link evaluatePreflight} reads. */
export const PREFLIGHT_SCRIPT = [
  'echo "os=$(uname -s)"',
  'echo "kernel=$(uname -r)"',
  'echo "hostname=$(hostname -s 2>/dev/null || hostname)"',
  'echo "uid=$(id -u)"',
  "if sudo -n true >/dev/null 2>&1; then echo sudo=yes; else echo sudo=no; fi",
  "if [ -d /sys/module/wireguard ] || modinfo wireguard >/dev/null 2>&1; then echo wg_kernel=yes; else echo wg_kernel=no; fi",
  "if command -v wireguard-go >/dev/null 2>&1; then echo wg_go=yes; else echo wg_go=no; fi",
  "if command -v wg >/dev/null 2>&1; then echo wg_tools=yes; else echo wg_tools=no; fi",
  "if command -v vtysh >/dev/null 2>&1 || [ -x /usr/lib/frr/bgpd ]; then echo frr=yes; else echo frr=no; fi",
  // Is the system's own FRR running (bgpd of the default path space)? /proc, not kill -0: a
  // non-root user with sudo may not signal root's bgpd but can see it.
  'if [ -f /run/frr/bgpd.pid ] && [ -d "/proc/$(cat /run/frr/bgpd.pid 2>/dev/null)" ]; then echo frr_bgpd=running; else echo frr_bgpd=stopped; fi',
  'echo "ipv6_global=$(ip -6 -o addr show scope global 2>/dev/null | wc -l)"',
  // The addresses themselves (text output: `ip -json` lists filtered-out addresses as `{}`).
  "echo \"ipv6_addrs=$(ip -6 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n 16 | tr '\\n' ' ')\"",
  'echo "fwd4=$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)"',
  'echo "fwd6=$(cat /proc/sys/net/ipv6/conf/all/forwarding 2>/dev/null)"',
  'echo "node=$(node --version 2>/dev/null)"',
  // A joined server keeps its identity here (the agent's default state folder, root only).
  "if [ -f /var/lib/meshover/identity.json ] || sudo -n test -f /var/lib/meshover/identity.json 2>/dev/null; then echo joined=yes; elif [ -d /var/lib/meshover ] && ! [ -r /var/lib/meshover ] && ! sudo -n true 2>/dev/null; then echo joined=unknown; else echo joined=no; fi",
  "if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo systemd=yes; else echo systemd=no; fi",
].join("\n");

/** One preflight check's outcome; `warn` does not block the install. */
export const ZPreflightCheck = z.object({
  id: z.string(),
  label: z.string(),
  status: z.enum(["pass", "fail", "warn"]),
  detail: z.string(),
  /** What to do about a fail/warn. */
  hint: z.string().nullable(),
});

/** One preflight check's outcome; `warn` does not block the install. */
export type TPreflightCheck = z.infer<typeof ZPreflightCheck>;

/** Facts the install needs besides the checks. */
export type TPreflightFacts = {
  hostname: string;
  isRoot: boolean;
  hasSystemd: boolean;
  /** The system's FRR (bgpd) runs: the agent can add its configuration to it (`--frr system`). */
  isSystemFrrRunning: boolean;
  /** Global IPv6 addresses (at most 16): the node's underlay endpoints. */
  ipv6Addresses: string[];
};

/** Oldest Node.js the agent bundle runs on (18.19: Ubuntu 24.04; Debian 12 has 18.20). */
const MIN_NODE = [18, 19] as const;

/** Whether `version` ("v18.20.4") is at least {@link MIN_NODE}. */
function isNodeRecentEnough(version: string) {
  const match = /^v(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** Parse the script's output into checks (in display order) and facts. */
export function evaluatePreflight(output: string): {
  checks: TPreflightCheck[];
  facts: TPreflightFacts;
} {
  const facts = new Map<string, string>();
  for (const line of output.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) facts.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const get = (key: string) => facts.get(key) ?? "";
  const isRoot = get("uid") === "0";
  const hasSudo = get("sudo") === "yes";
  const hasNode = isNodeRecentEnough(get("node"));
  const hasSystemd = get("systemd") === "yes";
  const ipv6Count = Number(get("ipv6_global") || 0);
  const ipv6Addresses = get("ipv6_addrs")
    .split(/\s+/)
    .filter((address) => /^[0-9a-f:.]+$/i.test(address) && address.includes(":"));
  const isForwarding = get("fwd4") === "1" && get("fwd6") === "1";
  const hasKernelWg = get("wg_kernel") === "yes";
  const hasWgGo = get("wg_go") === "yes";
  const hasFrr = get("frr") === "yes";
  const isSystemFrrRunning = hasFrr && get("frr_bgpd") === "running";

  const checks: TPreflightCheck[] = [
    {
      id: "linux",
      label: "Linux",
      status: get("os") === "Linux" ? "pass" : "fail",
      detail: get("os") ? `${get("os")} ${get("kernel")}`.trim() : "unknown",
      hint: get("os") === "Linux" ? null : "meshover's agent runs on Linux only.",
    },
    {
      id: "root",
      label: "Root or passwordless sudo",
      status: isRoot || hasSudo ? "pass" : "fail",
      detail: isRoot
        ? "logged in as root"
        : hasSudo
          ? "sudo -n works"
          : `uid ${get("uid") || "?"}, no sudo`,
      hint:
        isRoot || hasSudo
          ? null
          : "Log in as root, or allow this user passwordless sudo (the agent configures interfaces and FRR).",
    },
    {
      id: "wireguard",
      label: "WireGuard (kernel or wireguard-go) and wg tools",
      status: (hasKernelWg || hasWgGo) && get("wg_tools") === "yes" ? "pass" : "warn",
      detail: [
        hasKernelWg ? "kernel module" : hasWgGo ? "wireguard-go" : "no WireGuard",
        get("wg_tools") === "yes" ? "wg present" : "wg missing",
      ].join(", "),
      hint:
        (hasKernelWg || hasWgGo) && get("wg_tools") === "yes"
          ? null
          : "The installer installs wireguard-tools (and wireguard-go when the kernel has no WireGuard) from the distribution.",
    },
    {
      id: "frr",
      label: "FRR (BGP routing)",
      status: hasFrr ? "pass" : "warn",
      detail: !hasFrr
        ? "not found"
        : isSystemFrrRunning
          ? "installed, bgpd running: the agent adds its part to the system FRR"
          : "installed, not running: the agent runs its own FRR daemons (vtysh -N meshover)",
      hint: hasFrr ? null : "The installer installs FRR from the distribution.",
    },
    {
      id: "ipv6",
      label: "IPv6 underlay",
      status: ipv6Count > 0 ? "pass" : "warn",
      detail:
        ipv6Count > 0
          ? `${ipv6Count} global address(es)${ipv6Addresses.length > 0 ? `: ${ipv6Addresses.join(", ")}` : ""}`
          : "no global IPv6 address",
      hint:
        ipv6Count > 0
          ? null
          : "Peers will have to reach this server over IPv4; give it a global IPv6 address if possible.",
    },
    {
      id: "forwarding",
      label: "IP forwarding",
      status: isForwarding ? "pass" : "warn",
      detail: `ipv4 ${get("fwd4") || "?"}, ipv6 ${get("fwd6") || "?"}`,
      hint: isForwarding ? null : "The agent turns forwarding on when it starts.",
    },
    {
      id: "node",
      label: `Node.js ${MIN_NODE.join(".")} or newer`,
      // With systemd the installer installs a package (the distro's nodejs or a binary with its
      // own Node); without systemd it runs the one-file agent with the node already there.
      status: hasNode ? "pass" : hasSystemd ? "warn" : "fail",
      detail: get("node") || "not found",
      hint: hasNode
        ? null
        : hasSystemd
          ? "The installer uses the distribution's nodejs when it is new enough, else the self-contained agent binary."
          : `Without systemd the agent runs on the server's own Node.js: install Node.js ${MIN_NODE.join(".")}+.`,
    },
    {
      id: "joined",
      label: "Not joined yet",
      status: get("joined") === "no" ? "pass" : "fail",
      detail:
        get("joined") === "yes"
          ? "an agent already joined from this server (/var/lib/meshover/identity.json)"
          : get("joined") === "no"
            ? "no meshover identity on this server"
            : "could not check /var/lib/meshover",
      hint:
        get("joined") === "no"
          ? null
          : "This server already has a meshover agent: run `sh install.sh --uninstall` (or `meshover-agent leave`) on it (or remove the node in the dashboard and delete /var/lib/meshover), then install again.",
    },
    {
      id: "service",
      label: "Service manager",
      status: "pass",
      detail: hasSystemd ? "systemd" : "no systemd: a supervised background process",
      hint: null,
    },
  ];
  return {
    checks,
    facts: { hostname: get("hostname"), isRoot, hasSystemd, isSystemFrrRunning, ipv6Addresses },
  };
}
