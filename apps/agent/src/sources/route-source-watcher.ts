// Route sources on the agent (#14): looks at the host on every pass (and on its own short
// timer), judges what it finds with netcfg's shared rules, and keeps what the next report and
// the next FRR config need. Level-triggered: each pass recomputes everything from what the host
// holds now, never from remembered events. Hysteresis: something new counts once it was seen
// on STABLE_PASSES consecutive passes; something gone is gone at once (FRR itself withdraws
// connected and kernel routes the moment zebra hears of it, with no agent in between). The
// first look after the agent starts takes what is there as settled: it was there before the
// restart too, and waiting would withdraw it for a pass (churn on every agent restart).
import {
  EMPTY_ROUTE_HOST_STATE,
  MAX_ROUTE_CANDIDATES,
  discoverRouteSources,
  isRouteDiscoveryActive,
  judgeRouteCandidates,
  parseIpAddresses,
  parseIpRoutes,
  toRouteHostState,
  type TDesiredNodeConfig,
  type TDiscoveredRoute,
  type TRouteCandidate,
  type TRouteHostState,
} from "@meshover/netcfg";
import { runAllChecked, type TRunner } from "../exec/run-command";
import type { TLogger } from "../log";
import {
  readSpeakerRoutes,
  refuseSameNamespaceSpeakers,
  type TShowFrr,
} from "./read-speaker-routes";

/** Consecutive passes a new candidate must be seen on before it is reported or anchored. */
export const STABLE_PASSES = 2;

/** What one look at the host changed. */
export interface TSourcesChange {
  /** The FRR-relevant host state changed: a reconcile pass must apply it. */
  isFrrChanged: boolean;
  /** The candidate list changed: a report should carry it. */
  isCandidatesChanged: boolean;
}

const keyOf = (route: TDiscoveredRoute) =>
  [
    route.source,
    route.prefix,
    route.interface ?? "",
    route.protocol ?? "",
    route.speaker ?? "",
  ].join("|");

/** Options of RouteSourceWatcher. */
export interface TRouteSourceWatcherOptions {
  runner: TRunner;
  logger: TLogger;
  /** This node's underlay endpoints (never announced into the mesh). */
  endpoints(): readonly string[];
  /** FRR's vtysh show, to read what speakers announce (none: speakers are not reported). */
  showFrr?: TShowFrr | null;
}

/** Discovery, hysteresis and the candidate report state of one agent. */
export class RouteSourceWatcher {
  /** The FRR host state of the last look (stable entries only). */
  routeHost: TRouteHostState = EMPTY_ROUTE_HOST_STATE;
  /** The judged candidates of the last look (stable entries only). */
  candidates: TRouteCandidate[] = [];
  private seenPasses = new Map<string, number>();
  private isFirstLook = true;
  /** JSON of the candidates the controller last accepted; null: send the full list. */
  private acceptedJson: string | null = null;

  constructor(private readonly options: TRouteSourceWatcherOptions) {}

  /** Look at the host once for this config and update the state. Throws when `ip` fails. */
  async look(config: TDesiredNodeConfig): Promise<TSourcesChange> {
    const before = { host: JSON.stringify(this.routeHost), list: JSON.stringify(this.candidates) };
    if (!isRouteDiscoveryActive(config.routing)) {
      this.seenPasses.clear();
      this.routeHost = EMPTY_ROUTE_HOST_STATE;
      this.candidates = [];
    } else {
      await this.lookAtHost(config);
    }
    this.isFirstLook = false;
    const change = {
      isFrrChanged: JSON.stringify(this.routeHost) !== before.host,
      isCandidatesChanged: JSON.stringify(this.candidates) !== before.list,
    };
    if (change.isFrrChanged || change.isCandidatesChanged) {
      this.options.logger.info(
        {
          announced: this.candidates.filter((c) => c.verdict === "announced").length,
          refused: this.candidates.filter((c) => c.verdict === "refused").length,
          podCidrs: this.routeHost.podCidrs.map((pod) => pod.prefix),
          interfaces: this.routeHost.interfaceNames,
        },
        "route sources changed",
      );
    }
    return change;
  }

  private async lookAtHost(config: TDesiredNodeConfig): Promise<void> {
    const { runner } = this.options;
    const [addrText, v4Text, v6Text] = await runAllChecked(runner, [
      ["ip", "-json", "addr", "show"],
      // -N: numeric protocols (FRR's rt_protos names its 196 `static`, like the kernel's 4).
      ["ip", "-N", "-json", "-4", "route", "show", "table", "main"],
      ["ip", "-N", "-json", "-6", "route", "show", "table", "main"],
    ]);
    const links = parseIpAddresses(addrText.stdout);
    const found = discoverRouteSources({
      routing: config.routing,
      links,
      routes: [...parseIpRoutes(v4Text.stdout, "ipv4"), ...parseIpRoutes(v6Text.stdout, "ipv6")],
      advertisedPrefixes: config.self.advertisedPrefixes,
    });
    if (config.routing.sources.speakers.length > 0 && this.options.showFrr) {
      try {
        found.routes.push(...(await readSpeakerRoutes(this.options.showFrr)));
      } catch (error) {
        // FRR starting or restarting: the speakers' routes are reported on a later look.
        const message = error instanceof Error ? error.message : String(error);
        this.options.logger.debug({ error: message }, "speaker routes not readable");
      }
    }
    // Hysteresis: count consecutive sightings; whatever is not seen now starts from zero.
    const keys = [
      ...found.routes.map(keyOf),
      ...found.unselectedKernelRoutes.map((route) => `unselected|${keyOf(route)}`),
      ...found.interfaceNames.map((name) => `interface|${name}`),
      ...Object.entries(found.anchorInterfaces).map(([prefix, dev]) => `anchor|${prefix}|${dev}`),
    ];
    const next = new Map<string, number>();
    const sightings = this.isFirstLook ? STABLE_PASSES : 1;
    for (const key of keys) next.set(key, (this.seenPasses.get(key) ?? 0) + sightings);
    this.seenPasses = next;
    const isStable = (key: string) => (next.get(key) ?? 0) >= STABLE_PASSES;

    const context = {
      pools: { ipv4Pool: config.settings.ipv4Pool, ipv6Pool: config.settings.ipv6Pool },
      underlay: [...this.options.endpoints(), ...config.peers.flatMap((peer) => peer.endpoints)],
    };
    const localAddresses = new Set(
      links.flatMap((link) => link.addresses.map((address) => address.address)),
    );
    this.candidates = refuseSameNamespaceSpeakers(
      judgeRouteCandidates(
        config.routing,
        found.routes.filter((route) => isStable(keyOf(route))),
        context,
      ),
      localAddresses,
    );
    const unselected = judgeRouteCandidates(
      { ...config.routing, maxPrefixes: Number.MAX_SAFE_INTEGER },
      found.unselectedKernelRoutes.filter((route) => isStable(`unselected|${keyOf(route)}`)),
      context,
    );
    this.routeHost = toRouteHostState(
      {
        interfaceNames: found.interfaceNames.filter((name) => isStable(`interface|${name}`)),
        anchorInterfaces: Object.fromEntries(
          Object.entries(found.anchorInterfaces).filter(([prefix, dev]) =>
            isStable(`anchor|${prefix}|${dev}`),
          ),
        ),
      },
      this.candidates,
      unselected,
    );
  }

  /**
   * The candidates for the next report: the full list when it differs from what the
   * controller last accepted (or nothing was accepted yet), else null ("unchanged").
   */
  takeReportCandidates(): TRouteCandidate[] | null {
    const json = JSON.stringify(this.candidates);
    if (json === this.acceptedJson) return null;
    if (this.candidates.length <= MAX_ROUTE_CANDIDATES) return this.candidates;
    // Too many to report: the announced ones first (what the mesh routes matters most).
    const announced = this.candidates.filter((c) => c.verdict === "announced");
    const refused = this.candidates.filter((c) => c.verdict === "refused");
    return [...announced, ...refused].slice(0, MAX_ROUTE_CANDIDATES);
  }

  /** The controller accepted a report carrying `sent` (null: it carried no list). */
  markAccepted(sent: readonly TRouteCandidate[] | null): void {
    if (sent !== null) this.acceptedJson = JSON.stringify(sent);
  }

  /** A report failed: the next one carries the full list again. */
  markFailed(): void {
    this.acceptedJson = null;
  }
}
