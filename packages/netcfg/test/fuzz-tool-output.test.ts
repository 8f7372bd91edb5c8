// Fuzzing the parsers of tool output the agent reads (`wg show all dump`, `vtysh ... json`,
// `ip -json`): whatever a tool prints, a parser returns a value or throws NetcfgError
// INVALID_TOOL_OUTPUT, never a TypeError or RangeError that would crash a reconcile pass.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, it } from "vitest";
import {
  isNetcfgError,
  parseBfdPeers,
  parseBgpNeighbors,
  parseIpAddresses,
  parseIpLinks,
  parseIpRoutes,
  parseWgDump,
  parseZebraRoutes,
} from "../src/index";
import { FUZZ_PARAMETERS, edgeValue, mutateJson } from "./fuzz-helpers";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "fixtures", name), "utf8");

/** Call `parse`; only NetcfgError may come out of it. */
function parsesOrRefuses(parse: (text: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch (error) {
    if (isNetcfgError(error)) return true;
    throw error;
  }
}

const JSON_PARSERS: [string, (text: string) => unknown, string][] = [
  ["parseBgpNeighbors", parseBgpNeighbors, "vtysh-bgp-neighbors.json"],
  ["parseBgpNeighbors (down)", parseBgpNeighbors, "vtysh-bgp-neighbors-down.json"],
  ["parseBfdPeers", parseBfdPeers, "vtysh-bfd-peers.json"],
  ["parseZebraRoutes", parseZebraRoutes, "vtysh-ip-route.json"],
  ["parseZebraRoutes (ipv6)", parseZebraRoutes, "vtysh-ipv6-route.json"],
  ["parseIpLinks", parseIpLinks, "ip-link.json"],
  ["parseIpAddresses", parseIpAddresses, "ip-addr.json"],
  ["parseIpRoutes", (text) => parseIpRoutes(text, "ipv4"), "ip-route.json"],
  ["parseIpRoutes (ipv6)", (text) => parseIpRoutes(text, "ipv6"), "ip-6-route.json"],
];

describe("tool output parsers under fuzzing", () => {
  it.each(JSON_PARSERS)("%s returns or refuses, whatever the JSON", (_name, parse, file) => {
    const sample: unknown = JSON.parse(fixture(file));
    const text = fc.oneof(
      { weight: 6, arbitrary: mutateJson(sample).map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 0, max: fixture(file).length })
          .map((cut) => fixture(file).slice(0, cut)),
      },
    );
    fc.assert(
      fc.property(text, (input) => parsesOrRefuses(parse, input)),
      FUZZ_PARAMETERS,
    );
  });

  it("parseWgDump returns or refuses, whatever the lines", () => {
    const real = fixture("wg-show-all-dump.txt").split("\n").filter(Boolean);
    const field = fc.oneof(
      fc.constantFrom("(none)", "off", "0", "51820", "[2001:db8::1]:51820", "10.0.0.0/8,fe80::/64"),
      fc.constantFrom("99999999999999999999", "-1", "1e3", "0x10", ""),
      edgeValue.map(String),
    );
    const madeLine = fc
      .constantFrom(5, 9, 4, 10)
      .chain((count) => fc.array(field, { minLength: count, maxLength: count }))
      .map((fields) => fields.join("\t"));
    const mutatedLine = fc
      .tuple(fc.constantFrom(...real), fc.nat(), field)
      .map(([line, at, value]) => {
        const fields = line.split("\t");
        fields[at % fields.length] = value;
        return fields.join("\t");
      });
    const text = fc
      .array(fc.oneof(madeLine, mutatedLine, fc.constantFrom(...real)), { maxLength: 6 })
      .map((lines) => lines.join("\n"));
    fc.assert(
      fc.property(text, (input) => parsesOrRefuses(parseWgDump, input)),
      FUZZ_PARAMETERS,
    );
  });
});
