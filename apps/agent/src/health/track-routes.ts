// Received and installed routes for health reports, as deltas. Each report reads FRR's BGP RIB
// (both families) and the kernel's BGP routes, and carries only what changed since the set the
// controller acknowledged; the first report after a start, or one the controller asks for
// (`routesResync`: it lost track), carries the full set. The delta is made when the report is
// sent, not when it is read: a report read while the one before is still on its way then
// builds on what that one's answer acknowledged.
import {
  makeRouteReport,
  observeRoutes,
  parseBgpRib,
  parseKernelRoutes,
  type TDesiredNodeConfig,
  type TRouteObservation,
  type TRouteReport,
} from "@meshover/netcfg";
import { runAllChecked, type TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";

/** The routes part of one report and what to remember once the controller has it. */
export interface TPendingRoutes {
  report: TRouteReport;
  observation: TRouteObservation;
}

/** Tracks the route set the controller has, and makes the next delta against it. */
export class RouteTracker {
  private acked: { seq: number; routes: TRouteObservation } | null = null;
  private seq = 0;

  /**
   * Observe the routes now, or null when they cannot be read (no FRR, FRR not answering): the
   * controller then keeps what it had.
   */
  async observe(options: {
    config: TDesiredNodeConfig;
    frr: TFrrAdapter | null;
    runner: TRunner;
  }): Promise<TRouteObservation | null> {
    const { config, frr, runner } = options;
    if (!frr) return null;
    try {
      const [rib4, rib6, [kernel4, kernel6]] = await Promise.all([
        frr.show("show bgp ipv4 unicast json"),
        frr.show("show bgp ipv6 unicast json"),
        runAllChecked(runner, [
          ["ip", "-json", "route", "show", "proto", "bgp"],
          ["ip", "-6", "-json", "route", "show", "proto", "bgp"],
        ]),
      ]);
      return observeRoutes(
        config,
        [...parseBgpRib(rib4), ...parseBgpRib(rib6)],
        [
          ...parseKernelRoutes(kernel4.stdout, "ipv4"),
          ...parseKernelRoutes(kernel6.stdout, "ipv6"),
        ],
      );
    } catch {
      return null;
    }
  }

  /** The report's `routes` field for `observation`: its delta against the acknowledged set. */
  prepare(observation: TRouteObservation): TPendingRoutes {
    this.seq += 1;
    return { report: makeRouteReport(this.acked, observation, this.seq), observation };
  }

  /** The controller stored `pending`; with `isResyncAsked` it wants a full set next time. */
  acknowledge(pending: TPendingRoutes, isResyncAsked: boolean): void {
    this.acked = isResyncAsked ? null : { seq: pending.report.seq, routes: pending.observation };
  }
}
