import { describe, expect, it } from "vitest";
import { readSafeNextPath } from "./read-safe-next-path";

describe("readSafeNextPath", () => {
  it.each([
    ["/nodes", "/nodes"],
    ["/nodes/abc?tab=prefixes#x", "/nodes/abc?tab=prefixes#x"],
    ["/audit?action=node.", "/audit?action=node."],
  ])("keeps the local path %j", (next, expected) => {
    expect(readSafeNextPath(next)).toBe(expected);
  });

  it.each([
    ["protocol-relative", "//evil.example/"],
    ["backslash", "/\\evil.example/"],
    ["tab", "/\t/evil.example/"],
    ["newline", "/\n/evil.example/"],
    ["carriage return in the middle", "/nodes\r\nSet-Cookie: x=1"],
    ["space", "/ /evil.example/"],
    ["absolute URL", "https://evil.example/"],
    ["scheme", "javascript:alert(1)"],
    ["backslash later", "/a\\..\\\\evil.example"],
    ["empty", ""],
    ["not a string", ["/a", "/b"]],
    ["missing", undefined],
  ])("refuses %s", (_name, next) => {
    expect(readSafeNextPath(next)).toBe("/");
  });
});
