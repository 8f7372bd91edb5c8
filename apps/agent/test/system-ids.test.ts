import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lookUpSystemIds } from "../src/frr/system-ids";

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("lookUpSystemIds", () => {
  it("reads frr's UID and GID from passwd and group, and is null when either is missing", () => {
    root = mkdtempSync(join(tmpdir(), "ids-"));
    writeFileSync(
      join(root, "passwd"),
      "root:x:0:0:root:/root:/bin/bash\nfrrouting:x:7:7::/:/bin/false\nfrr:x:101:104:Frr routing suite,,,:/nonexistent:/usr/sbin/nologin\n",
    );
    writeFileSync(join(root, "group"), "root:x:0:\nfrrvty:x:103:frr\nfrr:x:104:\n");
    expect(lookUpSystemIds("frr", "frr", root)).toEqual({ uid: 101, gid: 104 });
    expect(lookUpSystemIds("frr", "nogroup", root)).toBeNull();
    expect(lookUpSystemIds("bird", "frr", root)).toBeNull();
    expect(lookUpSystemIds("frr", "frr", join(root, "missing"))).toBeNull();
  });
});
