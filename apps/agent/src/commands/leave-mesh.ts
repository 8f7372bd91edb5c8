// `meshover-agent leave`: remove everything meshover created on this host, then forget the
// identity and keys. (The controller is told by deleting the node there: the protocol has no
// leave call yet.)
import type { TLogger } from "../log";
import type { TRunner } from "../exec/run-command";
import type { FrrDriver } from "../frr/frr-driver";
import type { HostDriver } from "../host/host-driver";
import type { StateStore } from "../state/state-store";
import { teardownHost } from "./teardown-host";

/** Options of leaveMesh. */
export interface TLeaveOptions {
  store: StateStore;
  runner: TRunner;
  logger: TLogger;
  frr: FrrDriver;
  host: HostDriver;
}

/** Tear down and forget; returns the errors of steps that failed (state kept then). */
export async function leaveMesh(options: TLeaveOptions): Promise<string[]> {
  const errors = await teardownHost(options);
  if (errors.length === 0) options.store.removeAll();
  return errors;
}
