// Received and installed routes for health reports, as deltas. Each report reads FRR's BGP RIB
// (both families) and the kernel's BGP routes, and carries only what changed since the set the
// controller acknowledged; the first report after a start, or one the controller asks for
// (`routesResync`: it lost track), carries the full set.
import {
  makeRouteReport,
  observeRoutes,
  parseBgpRib,
  parseKernelRoutes,
  type TDesiredNodeConfig,
  type TRouteObservation,
  type TRouteReport,
} from "@meshover/netcfg";
import { runChecked, type TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";

/** bgpd's RIB, both families, as one vtysh run asks for it. */
export const RIB_COMMANDS = ["show bgp ipv4 unicast json", "show bgp ipv6 unicast json"] as const;

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
   * Observe the routes now and make the report's `routes` field, or null when they cannot be
   * read (no FRR, FRR not answering): the controller then keeps what it had. `ribs` are the
   * answers to {@link RIB_COMMANDS} when the caller read them in its own vtysh run.
   */
  async collect(options: {
    config: TDesiredNodeConfig;
    frr: TFrrAdapter | null;
    runner: TRunner;
    ribs?: readonly string[] | null;
  }): Promise<TPendingRoutes | null> {
    const { config, frr, runner } = options;
    if (!frr) return null;
    try {
      const [ribs, kernel4, kernel6] = await Promise.all([
        options.ribs ?? frr.showJson(RIB_COMMANDS),
        runChecked(runner, ["ip", "-json", "route", "show", "proto", "bgp"]),
        runChecked(runner, ["ip", "-6", "-json", "route", "show", "proto", "bgp"]),
      ]);
      const observation = observeRoutes(
        config,
        ribs.flatMap((rib) => parseBgpRib(rib)),
        [
          ...parseKernelRoutes(kernel4.stdout, "ipv4"),
          ...parseKernelRoutes(kernel6.stdout, "ipv6"),
        ],
      );
      this.seq += 1;
      return { report: makeRouteReport(this.acked, observation, this.seq), observation };
    } catch {
      return null;
    }
  }

  /** The controller stored `pending`; with `isResyncAsked` it wants a full set next time. */
  acknowledge(pending: TPendingRoutes, isResyncAsked: boolean): void {
    this.acked = isResyncAsked ? null : { seq: pending.report.seq, routes: pending.observation };
  }
}
