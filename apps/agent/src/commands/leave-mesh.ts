// `meshover-agent leave`: remove everything meshover created on this host, tell the controller
// (agent.leave removes the node there, so every peer tears its tunnel down), then forget the
// identity and keys. Telling the controller is best effort: the host is cleaned up anyway.
import type { TLogger } from "../log";
import type { TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { HostDriver } from "../host/host-driver";
import type { StateStore } from "../state/state-store";
import {
  createControllerClient,
  isNodeGoneError,
  resolveTrpcUrl,
  verifyCertificatePin,
} from "../controller/controller-client";
import { teardownHost } from "./teardown-host";

/** Options of leaveMesh. */
export interface TLeaveOptions {
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  /** null for `--frr none`. */
  frr: TFrrAdapter | null;
  host: HostDriver;
  /** How long to wait for the controller before giving up on telling it. */
  controllerTimeoutMs?: number;
}

/** What the controller said to the leave call. */
export type TLeaveControllerOutcome =
  /** The controller removed the node. */
  | { status: "removed" }
  /** The controller already did not know this node or credential (removed in the dashboard). */
  | { status: "already-gone"; error: string }
  /** Not told: unreachable, refused, or no identity (remove the node in the dashboard). */
  | { status: "failed"; error: string }
  /** Not asked because the local teardown failed (state kept so `leave` can run again). */
  | { status: "skipped" };

/** What leaveMesh did. */
export interface TLeaveOutcome {
  /** Local steps that failed (the state folder is kept then). */
  errors: string[];
  controller: TLeaveControllerOutcome;
}

const CONTROLLER_TIMEOUT_MS = 10_000;

/** Call agent.leave with the stored identity; never throws. */
async function tellController(options: TLeaveOptions): Promise<TLeaveControllerOutcome> {
  const identity = options.store.readIdentity();
  if (!identity) return { status: "failed", error: "no identity in the state folder" };
  try {
    resolveTrpcUrl(identity.controller, identity.isHttpAllowed);
    await verifyCertificatePin(identity.controller, identity.pinSha256);
    const client = createControllerClient({
      controller: identity.controller,
      credential: () => identity.credential,
      pinSha256: identity.pinSha256,
    });
    await client.agent.leave.mutate(undefined, {
      signal: AbortSignal.timeout(options.controllerTimeoutMs ?? CONTROLLER_TIMEOUT_MS),
    });
    return { status: "removed" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return isNodeGoneError(error)
      ? { status: "already-gone", error: message }
      : { status: "failed", error: message };
  }
}

/**
 * Tear down, then tell the controller, then forget the identity and keys. When a teardown step
 * fails nothing else happens (the node stays enrolled and the state is kept for a second try).
 */
export async function leaveMesh(options: TLeaveOptions): Promise<TLeaveOutcome> {
  const errors = await teardownHost(options);
  if (errors.length > 0) return { errors, controller: { status: "skipped" } };
  const controller = await tellController(options);
  if (controller.status === "removed") {
    options.logger.info("controller removed this node");
  } else if (controller.status !== "skipped") {
    options.logger.warn({ error: controller.error }, "could not tell the controller");
  }
  options.store.removeAll();
  return { errors, controller };
}
