// Keeps the handover routes netcfg derives (derive-handover-routes.ts) in meshover's own table,
// with the rule that looks it up just before main. Level-triggered: every look reads the
// table and the RIB and makes the table match; the rules go in with the first route and out
// with the last.
// The RIB is read only while this node announces a host prefix from an interface.
import {
  HANDOVER_RULE_PRIORITY,
  HANDOVER_TABLE,
  deriveHandoverRoutes,
  hasMovablePrefixes,
  parseBgpRib,
  parseKernelRoutes,
  parseToolJson,
  type TDesiredNodeConfig,
  type THandoverRoute,
  type TRouteCandidate,
} from "@meshover/netcfg";
import { z } from "zod";
import { CommandError, runAll, runChecked, type TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { TLogger } from "../log";

const TABLE = String(HANDOVER_TABLE);
const FAMILIES = [
  { flag: "-4", family: "ipv4" },
  { flag: "-6", family: "ipv6" },
] as const;

async function readTable(runner: TRunner): Promise<THandoverRoute[]> {
  const routes: THandoverRoute[] = [];
  // Both families side by side (runAll), as the other reads of a look.
  const argvs = FAMILIES.map(({ flag }) => ["ip", flag, "-json", "route", "show", "table", TABLE]);
  const results = await runAll(runner, argvs);
  for (const [i, { family }] of FAMILIES.entries()) {
    const argv = argvs[i]!;
    const result = results[i]!;
    // The kernel has no table until a route goes into it: "FIB table does not exist".
    if (result.code !== 0 && /does not exist/.test(result.stderr)) continue;
    if (result.code !== 0) throw new CommandError(argv, result);
    for (const route of parseKernelRoutes(result.stdout, family)) {
      routes.push({ prefix: route.prefix, device: route.devices[0] ?? "" });
    }
  }
  return routes;
}

/** `ip -json rule show`: the fields read here. */
const ZRules = z.array(z.object({ priority: z.number().optional(), table: z.string().optional() }));

async function hasRule(runner: TRunner, flag: "-4" | "-6"): Promise<boolean> {
  const { stdout } = await runChecked(runner, ["ip", flag, "-json", "rule", "show"]);
  const rules = stdout.trim() === "" ? [] : parseToolJson("ip -json rule show", ZRules, stdout);
  return rules.some((rule) => rule.priority === HANDOVER_RULE_PRIORITY && rule.table === TABLE);
}

async function setRules(runner: TRunner, isWanted: boolean): Promise<void> {
  for (const { flag } of FAMILIES) {
    if ((await hasRule(runner, flag)) === isWanted) continue;
    const verb = isWanted ? "add" : "del";
    await runChecked(runner, [
      "ip",
      flag,
      "rule",
      verb,
      "priority",
      String(HANDOVER_RULE_PRIORITY),
      "table",
      TABLE,
    ]);
  }
}

/** Delete every handover route and the rules (leave, uninstall). Never throws. */
export async function removeHandoverRoutes(runner: TRunner): Promise<void> {
  for (const { flag } of FAMILIES) {
    await runner.run(["ip", flag, "route", "flush", "table", TABLE]);
  }
  await setRules(runner, false).catch(() => undefined);
}

/** The agent's handover routes; see the file comment. */
export class HandoverRoutes {
  private isBusy = false;
  /** The table was empty at the last look and nothing was wanted: no need to read it again. */
  private isKnownEmpty = false;

  constructor(
    private readonly options: { runner: TRunner; logger: TLogger; frr: TFrrAdapter | null },
  ) {}

  /** Make the table match this config and these judged candidates. Never throws. */
  async update(config: TDesiredNodeConfig | null, candidates: readonly TRouteCandidate[]) {
    if (this.isBusy) return;
    this.isBusy = true;
    try {
      const wanted = await this.derive(config, candidates);
      if (wanted.length === 0 && this.isKnownEmpty) return;
      await this.apply(wanted);
      this.isKnownEmpty = wanted.length === 0;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ error: message }, "handover routes not updated");
    } finally {
      this.isBusy = false;
    }
  }

  private async derive(config: TDesiredNodeConfig | null, candidates: readonly TRouteCandidate[]) {
    const { frr } = this.options;
    if (!config || !frr || !hasMovablePrefixes(candidates)) return [];
    const [rib4, rib6] = await Promise.all([
      frr.show("show bgp ipv4 unicast json"),
      frr.show("show bgp ipv6 unicast json"),
    ]);
    return deriveHandoverRoutes(config, candidates, [...parseBgpRib(rib4), ...parseBgpRib(rib6)]);
  }

  private async apply(wanted: THandoverRoute[]) {
    const { runner, logger } = this.options;
    const present = await readTable(runner);
    const key = (route: THandoverRoute) => `${route.prefix} ${route.device}`;
    const presentKeys = new Set(present.map(key));
    const wantedPrefixes = new Set(wanted.map((route) => route.prefix));
    const added = wanted.filter((r) => !presentKeys.has(key(r)));
    // The rules go in with the first route (two `ip rule show` reads, not on every look).
    if (added.length > 0) await setRules(runner, true);
    for (const route of added) {
      await runChecked(runner, [
        "ip",
        "route",
        "replace",
        route.prefix,
        "dev",
        route.device,
        "table",
        TABLE,
      ]);
      logger.info(route, "handover route set");
    }
    for (const route of present.filter((r) => !wantedPrefixes.has(r.prefix))) {
      await runChecked(runner, ["ip", "route", "del", route.prefix, "table", TABLE]);
      logger.info(route, "handover route removed");
    }
    if (wanted.length === 0 && present.length > 0) await setRules(runner, false);
  }
}
