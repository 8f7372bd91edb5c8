import { describe, expect, it } from "vitest";
import { getChildEnv, readAgentEnv } from "../src/env";

describe("the children's environment", () => {
  it("runs wireguard-go on one Go thread unless GOMAXPROCS says otherwise, and refuses nonsense", () => {
    expect(getChildEnv(readAgentEnv({}))).toEqual({
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      LC_ALL: "C",
      GOMAXPROCS: "1",
    });
    expect(getChildEnv(readAgentEnv({ GOMAXPROCS: "4" })).GOMAXPROCS).toBe("4");
    expect(() => readAgentEnv({ GOMAXPROCS: "0" })).toThrow(/GOMAXPROCS: a whole number from 1/);
    // Nothing else of the agent's own environment reaches a child.
    expect(Object.keys(getChildEnv(readAgentEnv({ HOME: "/root", GOMAXPROCS: "2" })))).toEqual([
      "PATH",
      "LC_ALL",
      "GOMAXPROCS",
    ]);
  });
});
