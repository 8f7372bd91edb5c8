import { describe, expect, it } from "vitest";
import {
  REMOTE_AGENT,
  REMOTE_PID_FILE,
  buildAgentRunArgs,
  chooseFrrMode,
  renderSupervisorScript,
  renderSystemdUnit,
} from "./plan-agent-service";

describe("chooseFrrMode", () => {
  it("joins a running system FRR, else runs the agent's own daemons; an explicit mode wins", () => {
    expect(chooseFrrMode("auto", { isSystemFrrRunning: true })).toBe("system");
    expect(chooseFrrMode("auto", { isSystemFrrRunning: false })).toBe("managed");
    expect(chooseFrrMode("managed", { isSystemFrrRunning: true })).toBe("managed");
    expect(chooseFrrMode("system", { isSystemFrrRunning: false })).toBe("system");
  });
});

describe("agent service", () => {
  it("runs managed FRR in the fixed path space vtysh -N meshover reaches", () => {
    expect(buildAgentRunArgs("managed")).toEqual([
      "run",
      "--frr",
      "managed",
      "--frr-pathspace",
      "meshover",
    ]);
    expect(buildAgentRunArgs("system")).toEqual(["run", "--frr", "system"]);
  });

  it("starts the agent with those arguments under systemd, leaving its daemons on restart", () => {
    const unit = renderSystemdUnit(buildAgentRunArgs("managed"));
    expect(unit).toContain(`ExecStart=/usr/bin/env node ${REMOTE_AGENT} run --frr managed`);
    expect(unit).toContain("KillMode=process");
  });

  it("supervises without systemd: own PID in the PID file, TERM stops the agent too", () => {
    const script = renderSupervisorScript(buildAgentRunArgs("system"));
    expect(script).toContain(`echo $$ > ${REMOTE_PID_FILE}`);
    expect(script).toContain("trap stop TERM INT");
    expect(script).toContain(`node ${REMOTE_AGENT} run --frr system &`);
  });
});
