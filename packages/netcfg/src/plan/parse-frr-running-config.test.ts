import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFrrRunningConfig } from "./parse-frr-running-config";

// Shape of FRR 8.4 `show running-config` for meshover's configuration (defaults left out).
const RUNNING = `Building configuration...

Current configuration:
!
frr version 8.4.4
frr defaults datacenter
hostname node1
!
interface mo2
 ipv6 nd ra-interval 1
 no ipv6 nd suppress-ra
exit
!
router bgp 4200000001
 bgp router-id 10.128.0.1
 coalesce-time 100
 neighbor MESHOVER peer-group
 neighbor MESHOVER remote-as external
 neighbor MESHOVER bfd
 neighbor MESHOVER bfd profile meshover
 neighbor mo2 interface peer-group MESHOVER
 neighbor mo3 interface peer-group MESHOVER
 !
 address-family ipv4 unicast
  network 10.128.0.1/32
  network 192.168.50.0/24
 exit-address-family
 !
 address-family ipv6 unicast
  network fd00:0::1/128
  neighbor MESHOVER activate
 exit-address-family
exit
!
router bgp 65000 vrf other
 bgp router-id 1.1.1.1
exit
!
bfd
 profile meshover
  receive-interval 100
  transmit-interval 100
 exit
 !
 peer fe80::2 interface mo2
  profile meshover
 exit
 !
 peer fe80::3 interface mo3
  profile meshover
 exit
 !
exit
!
end
`;

describe("parseFrrRunningConfig", () => {
  it("reads the BGP instance, neighbors, networks and BFD profile", () => {
    expect(parseFrrRunningConfig(RUNNING)).toEqual({
      asn: 4200000001,
      routerId: "10.128.0.1",
      ipv4Networks: ["10.128.0.1/32", "192.168.50.0/24"],
      ipv6Networks: ["fd00::1/128"],
      bfd: { intervalMs: 100, multiplier: 3 },
      coalesceTimeMs: 100,
      policy: [],
      neighbors: ["mo2", "mo3"],
    });
  });

  it("counts a neighbor only with its static BFD peer, so the planner adds what is missing", () => {
    const withoutPeer = RUNNING.replace(" peer fe80::3 interface mo3\n  profile meshover\n", "");
    expect(parseFrrRunningConfig(withoutPeer)).toMatchObject({
      neighbors: ["mo2"],
      bfd: { intervalMs: 100, multiplier: 3 },
    });
    // A peer's own `profile` line is not the meshover profile's block.
    const otherProfile = RUNNING.replace(
      " peer fe80::2 interface mo2\n  profile meshover\n",
      " peer fe80::2 interface mo2\n  profile other\n  receive-interval 900\n",
    );
    expect(parseFrrRunningConfig(otherProfile)?.bfd.intervalMs).toBe(100);
  });

  it("reads an absent coalesce-time as FRR's default (null), so the planner sets it", () => {
    const withoutLine = RUNNING.replace(" coalesce-time 100\n", "");
    expect(parseFrrRunningConfig(withoutLine)?.coalesceTimeMs).toBeNull();
  });

  // fixtures/: frr-mo-nc-a.conf is what netcfg renders and FRR was given; vtysh-running-config.txt
  // is what FRR 8.4 printed back (see fixtures/README.md).
  it("reads real FRR output back as the state of the rendered config it was given", () => {
    const fixtures = join(import.meta.dirname, "..", "..", "fixtures");
    const running = parseFrrRunningConfig(
      readFileSync(join(fixtures, "vtysh-running-config.txt"), "utf8"),
    );
    const rendered = parseFrrRunningConfig(
      readFileSync(join(fixtures, "frr-mo-nc-a.conf"), "utf8"),
    );
    expect(running).toEqual(rendered);
    expect(running).toMatchObject({
      asn: 4200000001,
      routerId: "10.128.0.1",
      ipv4Networks: ["10.128.0.1/32", "192.168.50.0/24"],
      neighbors: ["mo2"],
      bfd: { intervalMs: 300, multiplier: 3 },
    });
    expect(running?.policy).toContain("ip route 192.168.50.0/24 blackhole 254");
    // An admin's own static routes and prefix lists (system FRR) are not meshover's policy.
    const withAdminLines = parseFrrRunningConfig(
      `ip route 10.99.0.0/24 blackhole\nip prefix-list ADMIN seq 5 permit 10.0.0.0/8\n${readFileSync(join(fixtures, "vtysh-running-config.txt"), "utf8")}`,
    );
    expect(withAdminLines?.policy).toEqual(running?.policy);
    expect(running?.policy).toContain(
      "ipv6 prefix-list MO-MESH-V6 seq 10 permit fd12:3456:789a::/48 ge 128",
    );
  });

  it("returns null without a default-VRF BGP instance", () => {
    expect(parseFrrRunningConfig("frr version 8.4.4\n!\nrouter bgp 1 vrf x\nexit\nend\n")).toBe(
      null,
    );
  });
});
