import { describe, expect, it } from "vitest";
import type { TFrrAdapter } from "../src/frr/frr-adapter";
import { readRoutingHealth } from "../src/health/collect-health";

/** An FRR that answers `show bfd peers json` with `peers` and has no BGP neighbors. */
function frrWithBfdPeers(peers: object[]): TFrrAdapter {
  const answers: Record<string, string> = {
    "show bgp neighbors json": "{}",
    "show bfd peers json": JSON.stringify(peers),
  };
  return { show: (command: string) => Promise.resolve(answers[command] ?? "") } as TFrrAdapter;
}

describe("readRoutingHealth", () => {
  it("files a BFD session listed without its interface under the tunnel of its link-local peer", async () => {
    const health = await readRoutingHealth(
      frrWithBfdPeers([
        { multihop: false, peer: "fe80::2", interface: "mo2", status: "up" },
        // bgpd's session to a peer it reached before it knew the interface (FRR 8.4).
        { multihop: false, peer: "fe80::1", status: "up" },
        // The same for a rotation's second tunnel (slot 1: fe80::1:<index>, mo<index>r).
        { multihop: false, peer: "fe80::1:5", status: "down" },
        { multihop: false, peer: "2001:db8::9", status: "up" },
      ]),
    );
    expect([...health.bfd]).toEqual([
      ["mo2", "up"],
      ["mo1", "up"],
      ["mo5r", "down"],
    ]);
  });
});
