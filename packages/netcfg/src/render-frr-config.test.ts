import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileNodeConfigs, type TMeshNode } from "./compile-node-configs";
import type { TDesiredNodeConfig } from "./config";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "./test-fixtures";
import { deriveFrrConfig } from "./derive-frr-config";
import { renderFrrConfig, renderPathLimitLines } from "./render-frr-config";
import { EMPTY_ROUTE_HOST_STATE, type TRouteHostState } from "./derive-route-policy";
import { DEFAULT_NODE_ROUTING, DEFAULT_ROUTE_SOURCES } from "./route-sources";
import { ROUTE_RANGES, SOURCES_HOST, SOURCES_ROUTING } from "./route-sources-fixtures";

// Golden files: `UPDATE_GOLDEN=1 npx vitest run --project netcfg render-frr` rewrites them.
const TESTDATA = join(import.meta.dirname, "..", "testdata");
const isUpdate = process.env.UPDATE_GOLDEN === "1";
const VTYSH = ["/usr/bin/vtysh", "/bin/vtysh"].find((path) => existsSync(path)) ?? null;

const settings = TEST_MESH_SETTINGS;

const makeNode = makeTestMeshNode;

function configOf(nodes: TMeshNode[], selfIndex: number, meshSettings = settings) {
  const config = compileNodeConfigs({ version: 1, settings: meshSettings, nodes }).find(
    (c) => c.self.index === selfIndex,
  );
  if (!config) throw new Error("no such node");
  return config;
}

const cases: { name: string; config: TDesiredNodeConfig; routeHost?: TRouteHostState }[] = [
  { name: "frr-lone-node", config: configOf([makeNode(1)], 1) },
  { name: "frr-two-nodes", config: configOf([makeNode(1), makeNode(2)], 1) },
  {
    name: "frr-prefixes-and-anycast",
    config: configOf(
      [
        makeNode(1, {
          advertisedPrefixes: ["192.168.50.0/24", "2001:db8:50::/48", "10.96.0.0/12"],
        }),
        makeNode(2, { advertisedPrefixes: ["192.168.60.0/24", "198.51.100.53/32"] }),
        makeNode(7, { name: "cloud", advertisedPrefixes: ["198.51.100.53/32"] }),
        makeNode(12, { publicKey: null }),
        makeNode(300, { advertisedPrefixes: ["2001:db8:300::/48"] }),
      ],
      2,
      { ...settings, bfd: { intervalMs: 150, multiplier: 5 } },
    ),
  },
  {
    name: "frr-exit-node",
    config: configOf([makeNode(1), makeNode(2, { advertisedPrefixes: ["0.0.0.0/0", "::/0"] })], 1),
  },
  {
    name: "frr-route-sources",
    config: configOf(
      [
        makeNode(1, { routing: SOURCES_ROUTING }),
        makeNode(2, {
          routing: {
            ...DEFAULT_NODE_ROUTING,
            mayOriginate: true,
            allowedRanges: [
              ROUTE_RANGES[0]!,
              { prefix: "10.0.2.0/24", maxLength: 24, anycast: false },
            ],
          },
        }),
        makeNode(3),
      ],
      1,
    ),
    routeHost: SOURCES_HOST,
  },
  {
    name: "frr-peer-ranges-only",
    config: configOf(
      [
        makeNode(1),
        makeNode(2, {
          routing: { ...SOURCES_ROUTING, sources: DEFAULT_ROUTE_SOURCES },
        }),
      ],
      1,
    ),
  },
  {
    name: "frr-attached-anchor-on-interface",
    config: configOf(
      [makeNode(1, { advertisedPrefixes: ["fd00:0:0:7::/120", "10.70.0.0/24"] })],
      1,
    ),
    routeHost: {
      ...EMPTY_ROUTE_HOST_STATE,
      anchorInterfaces: { "fd00:0:0:7::/120": "cilium_host" },
    },
  },
];

const scratch = mkdtempSync(join(tmpdir(), "mo-nc-frr-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("renderFrrConfig golden files", () => {
  it.each(cases)("$name matches its golden file in testdata/", ({ name, config, routeHost }) => {
    const text = renderFrrConfig(deriveFrrConfig(config, { routeHost }));
    const path = join(TESTDATA, `${name}.golden`);
    if (isUpdate) writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, "utf8"));
  });

  it("is deterministic and independent of peer order", () => {
    const config = cases[2]!.config;
    const shuffled = { ...config, peers: [...config.peers].reverse() };
    expect(renderFrrConfig(deriveFrrConfig(shuffled))).toBe(
      renderFrrConfig(deriveFrrConfig(config)),
    );
  });

  it("announces the node and its prefixes, filters everything else", () => {
    const model = deriveFrrConfig(cases[2]!.config);
    expect(model.ipv4.networks).toEqual(["10.128.0.2/32", "192.168.60.0/24", "198.51.100.53/32"]);
    expect(model.ipv6.networks).toEqual(["fd12:3456:789a::2/128"]);
    expect(model.neighbors.map((n) => n.interfaceName)).toEqual(["mo1", "mo7", "mo300"]);
    const permitted = model.ipv4.prefixList.filter((e) => e.action === "permit");
    expect(permitted.map((e) => e.prefix)).toEqual([
      "10.128.0.0/16",
      "10.96.0.0/12",
      "192.168.50.0/24",
      "192.168.60.0/24",
      "198.51.100.53/32",
    ]);
    expect(model.ipv4.prefixList[0]).toEqual({
      seq: 5,
      action: "deny",
      prefix: "0.0.0.0/0",
      ge: null,
    });
  });
});

describe("AS path limit", () => {
  it("filters mesh sessions inbound only when the settings set a limit", () => {
    const config = configOf([makeNode(1), makeNode(2), makeNode(3)], 1);
    expect(config.settings.maxAsPathLength).toBe(2);
    const limited = renderFrrConfig(deriveFrrConfig(config));
    expect(limited.match(/ {2}neighbor MESH filter-list MO-PATH-LIMIT in\n/g)).toHaveLength(2);
    const { maxAsPathLength: _limit, ...anyLength } = config.settings;
    const open = renderFrrConfig(deriveFrrConfig({ ...config, settings: anyLength }));
    expect(open).not.toContain("MO-PATH-LIMIT");
  });

  it("denies a path of three ASNs or more, permits one or two (FRR's `_` expanded)", () => {
    const [deny, permit] = renderPathLimitLines(2).map((line) => line.split(" "));
    expect(deny!.slice(0, 6)).toEqual([
      "bgp",
      "as-path",
      "access-list",
      "MO-PATH-LIMIT",
      "seq",
      "5",
    ]);
    expect(permit!.at(-1)).toBe(".*");
    // bgpd turns `_` into (^|[,{}() ]|$) before compiling the POSIX extended regex.
    const regex = new RegExp(deny!.at(-1)!.replaceAll("_", "(^|[,{}() ]|$)"));
    expect(regex.test("4200000002")).toBe(false);
    expect(regex.test("4200000002 4200000003")).toBe(false);
    expect(regex.test("4200000002 4200000003 4200000004")).toBe(true);
    expect(regex.test("4200000002 4200000003 4200000004 4200000005")).toBe(true);
  });
});

describe("FRR kept every line it was loaded with (fixtures/, captured from live daemons)", () => {
  it("finds each rendered statement in `show running-config`", () => {
    const fixtures = join(import.meta.dirname, "..", "fixtures");
    const trim = (text: string) =>
      text
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && line !== "!");
    const running = new Set(trim(readFileSync(join(fixtures, "vtysh-running-config.txt"), "utf8")));
    // What FRR leaves out on purpose: vtysh prints its own hostname, the service line lives in
    // vtysh.conf, and BFD timers equal to FRR's defaults (300/300/3) are not shown.
    const omitted =
      /^(hostname |service integrated-vtysh-config$|detect-multiplier 3$|(receive|transmit)-interval 300$)/;
    const missing = trim(readFileSync(join(fixtures, "frr-mo-nc-a.conf"), "utf8")).filter(
      (line) => !running.has(line) && !omitted.test(line),
    );
    expect(missing).toEqual([]);
  });
});

if (!VTYSH) {
  console.warn(
    "\n!!!!!!!!\n!!! FRR (vtysh) is not installed: the golden FRR configs were NOT checked by FRR.\n!!!!!!!!\n",
  );
}

// `vtysh -C -f FILE` checks a config file standalone (no daemons needed); `frr-reload.py
// --test` cannot, it reads the running config of live daemons. fixtures/capture.sh loads the
// rendered text into real zebra/bgpd/bfdd/staticd and waits for Established.
describe.skipIf(!VTYSH)("golden files are valid FRR 8.4 configuration (vtysh -C)", () => {
  let checked = 0;
  function checkWithFrr(text: string) {
    checked += 1;
    const path = join(scratch, `check-${checked}.conf`);
    writeFileSync(path, text);
    return spawnSync(VTYSH!, ["-C", "-f", path], { encoding: "utf8" });
  }

  it.each(cases)("FRR accepts the golden file of $name", ({ name }) => {
    const result = checkWithFrr(readFileSync(join(TESTDATA, `${name}.golden`), "utf8"));
    expect(result.stdout + result.stderr).not.toMatch(/Unknown command|error|Incomplete/i);
    expect(result.status).toBe(0);
  });

  it("the check can fail: FRR refuses a broken config", () => {
    const broken = renderFrrConfig(deriveFrrConfig(cases[1]!.config)).replace(
      "remote-as external",
      "remote-as externally",
    );
    expect(checkWithFrr(broken).status).not.toBe(0);
  });
});
