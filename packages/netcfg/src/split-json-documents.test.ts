import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { splitJsonDocuments } from "./split-json-documents";

const fixture = (name: string) => readFileSync(join(__dirname, "..", "fixtures", name), "utf8");

describe("splitJsonDocuments", () => {
  it("splits vtysh's answers to several show commands back into one document each", () => {
    const neighbors = fixture("vtysh-bgp-neighbors.json");
    const bfd = fixture("vtysh-bfd-peers.json");
    // As vtysh prints them: one after another, the last without a newline.
    const text = `${neighbors.trimEnd()}\n${bfd.trimEnd()}\n{\n "routes": {  }  } `;
    const documents = splitJsonDocuments(text);
    expect(documents).toHaveLength(3);
    expect(JSON.parse(documents[0]!)).toEqual(JSON.parse(neighbors));
    expect(JSON.parse(documents[1]!)).toEqual(JSON.parse(bfd));
    expect(JSON.parse(documents[2]!)).toEqual({ routes: {} });
  });

  it("does not count braces or escaped quotes inside strings, and skips text between", () => {
    const text = '{"a":"}{\\"]"}\nZEBRA: [NNACN-54BDA][EC 4043309110] a log line\n[]\n[{"b":"["}]';
    expect(splitJsonDocuments(text)).toEqual(['{"a":"}{\\"]"}', "[]", '[{"b":"["}]']);
  });

  it("returns an unfinished last document as it is, and nothing for no document", () => {
    expect(splitJsonDocuments('{"a":1}\n{"b":')).toEqual(['{"a":1}', '{"b":']);
    expect(splitJsonDocuments("")).toEqual([]);
    expect(splitJsonDocuments("% Unknown command\n")).toEqual([]);
  });
});
