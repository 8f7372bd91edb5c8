import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  MANAGED_FRR_PATHSPACE,
  REMOTE_DIR,
  REMOTE_LOG_FILE,
  REMOTE_PID_FILE,
  REMOTE_SUPERVISOR,
  chooseFrrMode,
} from "./plan-agent-service";

const INSTALLER = readFileSync(
  new URL("../../../../../apps/agent/packaging/install.sh", import.meta.url),
  "utf8",
);

describe("chooseFrrMode", () => {
  it("joins a running system FRR, else runs the agent's own daemons; an explicit mode wins", () => {
    expect(chooseFrrMode("auto", { isSystemFrrRunning: true })).toBe("system");
    expect(chooseFrrMode("auto", { isSystemFrrRunning: false })).toBe("managed");
    expect(chooseFrrMode("managed", { isSystemFrrRunning: true })).toBe("managed");
    expect(chooseFrrMode("system", { isSystemFrrRunning: false })).toBe("system");
  });
});

describe("the installer's paths", () => {
  it("are the ones the bootstrap and the lab read (supervisor, PID file, log, path space)", () => {
    expect(INSTALLER).toContain(`FILES_DIR=${REMOTE_DIR}\n`);
    expect(REMOTE_SUPERVISOR).toBe(`${REMOTE_DIR}/supervise-agent.sh`);
    expect(INSTALLER).toContain('SUPERVISOR="$FILES_DIR/supervise-agent.sh"');
    expect(INSTALLER).toContain(`PID_FILE=${REMOTE_PID_FILE}\n`);
    expect(INSTALLER).toContain(`LOG_FILE=${REMOTE_LOG_FILE}\n`);
    expect(INSTALLER).toContain(`MANAGED_PATHSPACE=${MANAGED_FRR_PATHSPACE}\n`);
    // The supervisor writes its own PID and stops its agent on TERM.
    expect(INSTALLER).toContain("echo \\$\\$ > $PID_FILE");
    expect(INSTALLER).toContain("trap stop TERM INT");
  });
});
