import { describe, expect, it } from "vitest";
import { compileNodeConfigs } from "./compile-node-configs";
import { deriveFrrConfig } from "./derive-frr-config";
import { isNetcfgError } from "./netcfg-error";
import { renderAddNeighborCommands, renderRemoveNeighborCommands } from "./render-frr-commands";
import { renderFrrConfig } from "./render-frr-config";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "./test-fixtures";

const makeNode = (index: number) => makeTestMeshNode(index);

const model = deriveFrrConfig(
  compileNodeConfigs({
    version: 1,
    settings: TEST_MESH_SETTINGS,
    nodes: [1, 2, 3].map(makeNode),
  })[0]!,
);

describe("renderAddNeighborCommands / renderRemoveNeighborCommands", () => {
  it("renders one neighbor's interface stanza and BGP lines (golden)", () => {
    expect(renderAddNeighborCommands(model, "mo3")).toMatchInlineSnapshot(`
      [
        "configure terminal",
        "interface mo3",
        "ipv6 nd ra-interval 1",
        "no ipv6 nd suppress-ra",
        "exit",
        "bfd",
        "peer fe80::3 interface mo3",
        "profile meshover",
        "exit",
        "exit",
        "router bgp 4200000001",
        "neighbor mo3 interface peer-group MESH",
        "neighbor mo3 description node3",
      ]
    `);
    expect(renderRemoveNeighborCommands(model, "mo3")).toMatchInlineSnapshot(`
      [
        "configure terminal",
        "router bgp 4200000001",
        "no neighbor mo3",
        "exit",
        "bfd",
        "no peer fe80::3 interface mo3",
      ]
    `);
    // A rotation's other slot: its static BFD peer goes too (it used to stay behind in bfdd).
    expect(renderRemoveNeighborCommands(model, "mo3r").slice(-1)).toEqual([
      "no peer fe80::1:3 interface mo3r",
    ]);
  });

  it("uses exactly the lines frr.conf holds for that neighbor (one model, one text)", () => {
    const config = renderFrrConfig(model)
      .split("\n")
      .map((line) => line.trim());
    const commands = renderAddNeighborCommands(model, "mo2").filter(
      (command) => command !== "configure terminal",
    );
    for (const command of commands) expect(config).toContain(command);
  });

  it("throws NetcfgError INVALID_PLAN for a device the model has no neighbor on", () => {
    let error: unknown = null;
    try {
      renderAddNeighborCommands(model, "mo9");
    } catch (caught) {
      error = caught;
    }
    expect(isNetcfgError(error, "INVALID_PLAN")).toBe(true);
  });
});
