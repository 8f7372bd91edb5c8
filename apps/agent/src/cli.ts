#!/usr/bin/env node
// meshover-agent: join | run | status | leave. See docs/agent.md.
// First, before any module builds its schemas:
import "./configure-zod";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { leaveMesh, type TLeaveControllerOutcome } from "./commands/leave-mesh";
import { joinMesh } from "./commands/join-mesh";
import { runAgent } from "./commands/run-agent";
import { renderStatus } from "./commands/show-status";
import { getChildEnv, readAgentEnv } from "./env";
import { createExecutor } from "./exec/run-command";
import { createFrrAdapter } from "./frr/create-frr-adapter";
import type { TFrrMode } from "./frr/frr-adapter";
import { HostDriver } from "./host/host-driver";
import { createLogger } from "./log";
import { StateStore } from "./state/state-store";
import { AGENT_VERSION } from "./version";

const USAGE = `meshover-agent ${AGENT_VERSION}
usage:
  meshover-agent join --controller URL (--token TOKEN | --token-file PATH|-) [--name NAME] [--endpoint ADDR]...
                      [--allow-http] [--pin-sha256 DIGEST] [--state-dir DIR]
  meshover-agent run [--frr system|managed|none] [--frr-pathspace NAME] [--resync-sec N]
                     [--cleanup-on-exit] [--state-dir DIR]
                     [--controller URL --token TOKEN [join options]]   (joins first if not joined)
  meshover-agent status [--state-dir DIR]
  meshover-agent set-credential [--state-dir DIR]   (reads the new credential from stdin)
  meshover-agent leave [--frr system|managed|none] [--state-dir DIR]`;

function parseFrrMode(value: string | undefined): TFrrMode {
  const mode = value ?? "system";
  if (mode !== "system" && mode !== "managed" && mode !== "none") {
    throw new Error(`--frr must be system, managed or none (got ${mode})`);
  }
  return mode;
}

function parseResyncSec(value: string | undefined): number {
  const seconds = Number(value ?? "10");
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new Error(`--resync-sec must be a whole number of seconds from 1 to 3600 (got ${value})`);
  }
  return seconds;
}

function describeControllerOutcome(controller: TLeaveControllerOutcome): string {
  switch (controller.status) {
    case "removed":
      return "the controller removed this node";
    case "already-gone":
      return `the controller no longer knew this node (${controller.error})`;
    case "failed":
      return `could not tell the controller (${controller.error}): delete the node in the dashboard`;
    case "skipped":
      return "the controller was not told";
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(argv: string[]): Promise<number> {
  const env = readAgentEnv();
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      controller: { type: "string" },
      token: { type: "string" },
      "token-file": { type: "string" },
      name: { type: "string" },
      endpoint: { type: "string", multiple: true },
      "allow-http": { type: "boolean", default: false },
      "pin-sha256": { type: "string" },
      "state-dir": { type: "string" },
      frr: { type: "string" },
      "frr-pathspace": { type: "string" },
      "resync-sec": { type: "string" },
      "cleanup-on-exit": { type: "boolean", default: false },
    },
    strict: true,
  });
  const logger = createLogger(env.MESHOVER_LOG_LEVEL);
  const runner = createExecutor(logger, getChildEnv(env));
  const store = new StateStore(values["state-dir"] ?? env.MESHOVER_STATE_DIR);
  const host = new HostDriver({ runner, logger, store });
  const frrMode = parseFrrMode(values.frr);

  const tokenFile = values["token-file"];
  const hasToken = values.token !== undefined || tokenFile !== undefined;
  const join = async () => {
    // --token-file keeps the token out of the process list (`-` reads it from stdin).
    const token =
      tokenFile === undefined
        ? values.token
        : (tokenFile === "-" ? await readStdin() : readFileSync(tokenFile, "utf8")).trim();
    if (!values.controller || !token)
      throw new Error("join needs --controller and --token (or --token-file)");
    return joinMesh({
      store,
      runner,
      logger,
      host,
      controller: values.controller,
      token,
      name: values.name ?? null,
      endpoints: values.endpoint ?? [],
      isHttpAllowed: values["allow-http"],
      pinSha256: values["pin-sha256"] ?? null,
      frrMode,
    });
  };

  switch (command) {
    case "join": {
      const joined = await join();
      console.error(
        `joined as ${joined.name} (${joined.nodeId}); start the daemon with: meshover-agent run`,
      );
      return 0;
    }
    case "run": {
      // `run --controller URL --token T` joins first when this host has not joined yet (one
      // command for cloud-init and containers; a token is single-use, so a restart must not
      // redeem it again: once joined, the token is ignored).
      if (hasToken) {
        const joined = store.readIdentity();
        if (joined) logger.info({ node: joined.name }, "already joined: --token ignored");
        else await join();
      }
      const identity = store.readIdentity();
      if (identity?.controller.startsWith("http:") && !identity.isHttpAllowed) {
        throw new Error(
          "identity names a plain-http controller but was not joined with --allow-http",
        );
      }
      const stopSignal = new Promise<void>((resolve) => {
        process.once("SIGTERM", () => resolve());
        process.once("SIGINT", () => resolve());
      });
      await runAgent({
        store,
        runner,
        logger,
        frrMode,
        frrPathspace: values["frr-pathspace"] ?? null,
        resyncSec: parseResyncSec(values["resync-sec"]),
        isCleanupOnExit: values["cleanup-on-exit"],
        stopSignal,
      });
      return 0;
    }
    case "set-credential": {
      const identity = store.readIdentity();
      if (!identity) throw new Error(`not joined (no identity in ${store.dir})`);
      const credential = (await readStdin()).trim();
      if (credential.length < 32) throw new Error("expected the new credential on stdin");
      store.writeIdentity({ ...identity, credential });
      console.error("credential replaced; a running agent uses it from its next request");
      return 0;
    }
    case "status":
      console.log(renderStatus(store, Date.now()));
      return 0;
    case "leave": {
      const identity = store.readIdentity();
      const frr = createFrrAdapter(frrMode, {
        runner,
        logger,
        store,
        pathspace:
          store.readOwned().frr?.pathspace ?? `meshover-${identity?.nodeId.slice(0, 8) ?? "none"}`,
      });
      const { errors, controller } = await leaveMesh({ store, runner, logger, frr, host });
      if (errors.length > 0) {
        console.error(
          `left with ${errors.length} error(s); the controller was not told and the state is kept (run leave again)`,
        );
        return 1;
      }
      console.error(`left the mesh; host cleaned up; ${describeControllerOutcome(controller)}`);
      return 0;
    }
    default:
      console.error(USAGE);
      return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`meshover-agent: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
