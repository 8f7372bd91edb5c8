// A plan made executable: its operations grouped into the steps the agent runs, each with the
// argv it runs. Per device: consecutive WireGuard settings become one `wg set`, consecutive
// link and address changes one `ip` (or `ip -batch -`), sysctls one /proc write pass; devices
// are independent and run side by side. Host-wide sysctls follow every device, FRR comes last
// (a reload of the whole text, or per-neighbor vtysh commands). On a small host building many
// tunnels at once every process spawned costs, hence the merging.
import type { TFrrConfig } from "../derive-frr-config";
import { NetcfgError } from "../netcfg-error";
import {
  REFRESH_INBOUND_COMMANDS,
  renderAddNeighborCommands,
  renderRemoveNeighborCommands,
} from "../render-frr-commands";
import { renderFrrConfig } from "../render-frr-config";
import {
  getOperationDevice,
  type TOpFrrAddNeighbor,
  type TOpFrrRemoveNeighbor,
  type TOpFrrSetBase,
  type TOpLinkCreate,
  type TOpLinkDelete,
  type TOpSysctlSet,
  type TOperation,
} from "./operations";

/** Tunnels built side by side at most (each may start a wireguard-go and wait for it). */
export const DEVICE_CONCURRENCY = 8;

/** How WireGuard devices are made on a host (a probed fact, see the agent). */
export type TWireguardMode = "kernel" | "wireguard-go";

/** An operation `wg set` carries. */
export type TWireguardOperation = Extract<
  TOperation,
  { op: "wg-set-private-key" | "wg-set-listen-port" | "wg-set-peer" | "wg-remove-peer" }
>;
/** A link or address change `ip` carries. */
export type TIpOperation = Extract<
  TOperation,
  { op: "link-set-mtu" | "link-set-up" | "address-add" | "address-delete" }
>;
/** An FRR operation. */
export type TFrrOperation = TOpFrrSetBase | TOpFrrAddNeighbor | TOpFrrRemoveNeighbor;

/** One command-sized piece of a device's (or the host's) work. */
export type THostStep =
  /** `ip link add`, one `wg set`, one `ip`/`ip -batch -`. */
  | { kind: "command"; operations: TOperation[]; argv: string[]; input: string | null }
  /** `ip link add` when the kernel has no WireGuard: the agent starts this daemon instead. */
  | { kind: "wireguard-go"; operations: [TOpLinkCreate]; device: string; argv: string[] }
  /** `ip link del`; the agent also stops a wireguard-go it runs for the device. */
  | { kind: "link-delete"; operations: [TOpLinkDelete]; device: string; argv: string[] }
  /** Writes to /proc/sys (no process per key). */
  | { kind: "sysctl"; operations: TOpSysctlSet[] };

/** FRR's step: the whole config reloaded, or per-neighbor commands. */
export type TFrrStep =
  | {
      kind: "reload";
      operations: TFrrOperation[];
      /** The complete config text the operations lead to. */
      config: string;
      /** vtysh commands to run after the reload (route refresh). */
      after: string[];
    }
  | {
      kind: "neighbors";
      operations: TFrrOperation[];
      /** One vtysh invocation per neighbor change, each a list of `-c` commands. */
      commands: string[][];
      /** The complete config text, for the file FRR starts from. */
      config: string;
    };

/** Everything the agent runs for one plan, in order. */
export interface THostSchedule {
  /** Per device, its steps in plan order; run devices side by side, at most `concurrency`. */
  devices: THostStep[][];
  concurrency: number;
  /** Host-wide steps, after every device is done. */
  global: THostStep[];
  /** FRR's step, after the host's; null when the plan changes nothing in FRR. */
  frr: TFrrStep | null;
}

/** Options of scheduleHostPlan. */
export interface TScheduleOptions {
  wireguardMode: TWireguardMode;
  /** The file holding the node's private key, for `wg set ... private-key`. */
  privateKeyFile: string;
  /** Files of other private keys by their public key (a rotation's next key). */
  privateKeyFiles?: Readonly<Record<string, string>>;
  /** The FRR model the plan's FRR operations lead to; null when FRR is not managed. */
  frrModel: TFrrConfig | null;
}

const FRR_OPS = new Set<TOperation["op"]>([
  "frr-set-base",
  "frr-add-neighbor",
  "frr-remove-neighbor",
]);
const IP_OPS = new Set<TOperation["op"]>([
  "link-set-mtu",
  "link-set-up",
  "address-add",
  "address-delete",
]);

/** Whether `operation` changes FRR. */
export function isFrrOperation(operation: TOperation): operation is TFrrOperation {
  return FRR_OPS.has(operation.op);
}

function isIpOperation(operation: TOperation): operation is TIpOperation {
  return IP_OPS.has(operation.op);
}

function isWireguardOperation(operation: TOperation): operation is TWireguardOperation {
  return operation.op.startsWith("wg-");
}

/** The `ip` arguments of one link or address change (the family flag only outside a batch). */
export function renderIpArgs(operation: TIpOperation, isFamilyFlagged: boolean): string[] {
  switch (operation.op) {
    case "link-set-mtu":
      return ["link", "set", "dev", operation.device, "mtu", String(operation.mtu)];
    case "link-set-up":
      return ["link", "set", "dev", operation.device, "up"];
    case "address-add":
    case "address-delete": {
      const isV6 = operation.cidr.includes(":");
      return [
        // `ip -batch` takes no options per line; the address says its family anyway.
        ...(isFamilyFlagged ? [isV6 ? "-6" : "-4"] : []),
        "addr",
        operation.op === "address-add" ? "add" : "del",
        operation.cidr,
        "dev",
        operation.device,
        // No duplicate address detection: the address is usable at once, and a tunnel has
        // exactly one other end.
        ...(operation.op === "address-add" && isV6 ? ["nodad"] : []),
      ];
    }
  }
}

function renderIpStep(operations: TIpOperation[]): THostStep {
  const [only] = operations;
  if (operations.length === 1 && only) {
    return { kind: "command", operations, argv: ["ip", ...renderIpArgs(only, true)], input: null };
  }
  const lines = operations.map((operation) => renderIpArgs(operation, false).join(" "));
  return {
    kind: "command",
    operations,
    argv: ["ip", "-batch", "-"],
    input: `${lines.join("\n")}\n`,
  };
}

/** One `wg set`: interface settings first, then each peer, as wg(8) takes them. */
function renderWireguardStep(
  operations: TWireguardOperation[],
  options: TScheduleOptions,
): THostStep {
  const device = operations[0]?.device ?? "";
  const interfaceArgs: string[] = [];
  const peerArgs: string[] = [];
  for (const operation of operations) {
    switch (operation.op) {
      case "wg-set-private-key":
        interfaceArgs.push(
          "private-key",
          options.privateKeyFiles?.[operation.publicKey] ?? options.privateKeyFile,
        );
        break;
      case "wg-set-listen-port":
        interfaceArgs.push("listen-port", String(operation.port));
        break;
      case "wg-set-peer":
        peerArgs.push(
          "peer",
          operation.publicKey,
          ...(operation.endpoint ? ["endpoint", operation.endpoint] : []),
          "allowed-ips",
          operation.allowedIps.join(","),
          "persistent-keepalive",
          operation.keepaliveSec === 0 ? "off" : String(operation.keepaliveSec),
        );
        break;
      case "wg-remove-peer":
        peerArgs.push("peer", operation.publicKey, "remove");
        break;
    }
  }
  return {
    kind: "command",
    operations,
    argv: ["wg", "set", device, ...interfaceArgs, ...peerArgs],
    input: null,
  };
}

function renderSingleStep(operation: TOperation, options: TScheduleOptions): THostStep {
  switch (operation.op) {
    case "link-create": {
      const { device, kind } = operation;
      if (kind === "wireguard" && options.wireguardMode === "wireguard-go") {
        return {
          kind: "wireguard-go",
          operations: [operation],
          device,
          argv: ["wireguard-go", "-f", device],
        };
      }
      const argv = ["ip", "link", "add", "dev", device, "type", kind];
      return { kind: "command", operations: [operation], argv, input: null };
    }
    case "link-delete":
      return {
        kind: "link-delete",
        operations: [operation],
        device: operation.device,
        argv: ["ip", "link", "del", "dev", operation.device],
      };
    default:
      throw new NetcfgError("INVALID_PLAN", `not a single host step: ${operation.op}`);
  }
}

/** Consecutive operations of one kind as one step (one `wg set`, one `ip`, one sysctl pass). */
function mergeRuns(operations: readonly TOperation[], options: TScheduleOptions): THostStep[] {
  type TRun =
    | { kind: "wg"; operations: TWireguardOperation[] }
    | { kind: "ip"; operations: TIpOperation[] }
    | { kind: "sysctl"; operations: TOpSysctlSet[] }
    | { kind: "one"; operation: TOperation };
  const runs: TRun[] = [];
  for (const operation of operations) {
    const last = runs.at(-1);
    if (isWireguardOperation(operation)) {
      if (last?.kind === "wg") last.operations.push(operation);
      else runs.push({ kind: "wg", operations: [operation] });
    } else if (isIpOperation(operation)) {
      if (last?.kind === "ip") last.operations.push(operation);
      else runs.push({ kind: "ip", operations: [operation] });
    } else if (operation.op === "sysctl-set") {
      if (last?.kind === "sysctl") last.operations.push(operation);
      else runs.push({ kind: "sysctl", operations: [operation] });
    } else {
      runs.push({ kind: "one", operation });
    }
  }
  return runs.map((run) => {
    switch (run.kind) {
      case "wg":
        return renderWireguardStep(run.operations, options);
      case "ip":
        return renderIpStep(run.operations);
      case "sysctl":
        return { kind: "sysctl", operations: run.operations };
      case "one":
        return renderSingleStep(run.operation, options);
    }
  });
}

function scheduleFrr(operations: TFrrOperation[], model: TFrrConfig | null): TFrrStep | null {
  if (operations.length === 0) return null;
  if (!model) throw new NetcfgError("INVALID_PLAN", "FRR operations without an FRR model");
  const config = renderFrrConfig(model);
  // A global change: let frr-reload.py compute and apply the line diff (sessions whose lines did
  // not change are left alone), then refresh inbound routes under the new filters.
  if (operations.some((operation) => operation.op === "frr-set-base")) {
    return { kind: "reload", operations, config, after: [...REFRESH_INBOUND_COMMANDS] };
  }
  const commands = operations.flatMap((operation) => {
    if (operation.op === "frr-add-neighbor")
      return [renderAddNeighborCommands(model, operation.device)];
    if (operation.op === "frr-remove-neighbor")
      return [renderRemoveNeighborCommands(model, operation.device)];
    return [];
  });
  return { kind: "neighbors", operations, commands, config };
}

/**
 * The steps that carry out `operations` (a plan from planHost), in the order to run them.
 * Pure: the same plan and options always give the same steps.
 */
export function scheduleHostPlan(
  operations: readonly TOperation[],
  options: TScheduleOptions,
): THostSchedule {
  const byDevice = new Map<string, TOperation[]>();
  const global: TOperation[] = [];
  const frr: TFrrOperation[] = [];
  for (const operation of operations) {
    if (isFrrOperation(operation)) {
      frr.push(operation);
      continue;
    }
    const device = getOperationDevice(operation);
    if (device === null) {
      global.push(operation);
      continue;
    }
    const list = byDevice.get(device) ?? [];
    list.push(operation);
    byDevice.set(device, list);
  }
  return {
    devices: [...byDevice.values()].map((list) => mergeRuns(list, options)),
    concurrency: DEVICE_CONCURRENCY,
    global: mergeRuns(global, options),
    frr: scheduleFrr(frr, options.frrModel),
  };
}
