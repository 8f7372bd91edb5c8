import { describe, expect, it } from "vitest";
import { evaluatePreflight } from "./evaluate-preflight";

const GOOD = `os=Linux
kernel=6.1.0-18-amd64
hostname=edge-1
uid=0
sudo=yes
wg_kernel=no
wg_go=yes
wg_tools=yes
frr=yes
frr_bgpd=running
ipv6_global=2
ipv6_addrs=2001:db8:1::7 2001:db8:2::7 
fwd4=1
fwd6=1
node=v20.19.0
joined=no
systemd=yes`;

describe("evaluatePreflight", () => {
  it("passes a prepared Debian server and reads its facts", () => {
    const { checks, facts } = evaluatePreflight(GOOD);
    expect(checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      "linux:pass",
      "root:pass",
      "wireguard:pass",
      "frr:pass",
      "ipv6:pass",
      "forwarding:pass",
      "node:pass",
      "joined:pass",
      "service:pass",
    ]);
    expect(facts).toEqual({
      hostname: "edge-1",
      isRoot: true,
      hasSystemd: true,
      isSystemFrrRunning: true,
      ipv6Addresses: ["2001:db8:1::7", "2001:db8:2::7"],
    });
  });

  it("tells whether the system's FRR runs (the agent then joins it) or not (its own daemons)", () => {
    const stopped = evaluatePreflight(GOOD.replace("frr_bgpd=running", "frr_bgpd=stopped"));
    expect(stopped.facts.isSystemFrrRunning).toBe(false);
    expect(stopped.checks.find((c) => c.id === "frr")?.detail).toMatch(/its own FRR daemons/);
    // bgpd "running" without FRR installed (a stale pid file) is not a running FRR.
    const noFrr = evaluatePreflight(GOOD.replace("frr=yes", "frr=no"));
    expect(noFrr.facts.isSystemFrrRunning).toBe(false);
    // The installer installs FRR: missing is a warning, not a stop.
    expect(noFrr.checks.find((c) => c.id === "frr")?.status).toBe("warn");
  });

  it("fails a bare unprivileged host and says what to do", () => {
    const bare = GOOD.replace("uid=0", "uid=1000")
      .replace("sudo=yes", "sudo=no")
      .replace("wg_go=yes", "wg_go=no")
      .replace("frr=yes", "frr=no")
      .replace("ipv6_global=2", "ipv6_global=0")
      .replace("fwd4=1", "fwd4=0")
      .replace("node=v20.19.0", "node=v18.18.2");
    const byId = Object.fromEntries(evaluatePreflight(bare).checks.map((c) => [c.id, c]));
    expect(byId.root?.status).toBe("fail");
    expect(byId.root?.hint).toMatch(/sudo/);
    // What the installer installs from the distribution only warns.
    expect(byId.wireguard?.status).toBe("warn");
    expect(byId.frr?.status).toBe("warn");
    expect(byId.ipv6?.status).toBe("warn");
    expect(byId.forwarding?.status).toBe("warn");
    // With systemd the installer brings a Node (distro package or the binary); without, it
    // needs the server's own Node 18.19+.
    expect(byId.node?.status).toBe("warn");
    const noSystemd = evaluatePreflight(bare.replace("systemd=yes", "systemd=no"));
    expect(noSystemd.checks.find((c) => c.id === "node")?.status).toBe("fail");
    const debianNode = evaluatePreflight(GOOD.replace("node=v20.19.0", "node=v18.20.4"));
    expect(debianNode.checks.find((c) => c.id === "node")?.status).toBe("pass");
  });

  it("refuses a server that already joined and says how to leave", () => {
    const joined = evaluatePreflight(GOOD.replace("joined=no", "joined=yes"));
    const check = joined.checks.find((c) => c.id === "joined");
    expect(check?.status).toBe("fail");
    expect(check?.hint).toMatch(/leave/);
  });

  it("fails everything it cannot read instead of passing it", () => {
    const { checks } = evaluatePreflight("");
    expect(checks.filter((c) => c.status === "pass").map((c) => c.id)).toEqual(["service"]);
  });
});
