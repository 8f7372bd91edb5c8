// Host facts for enroll and health reports.
import { hostname, release } from "node:os";
import type { THostInfo, TWireguardMode } from "@meshover/netcfg";
import type { TFrrMode } from "../frr/frr-adapter";

/** Facts about this host in the protocol's shape. */
export function readHostInfo(options: {
  wireguard: TWireguardMode | "unknown";
  frrMode: TFrrMode;
  frrVersion: string | null;
  addressDevice: "meshover0" | "lo";
  virtualization: string | null;
}): THostInfo {
  return {
    hostname: hostname().slice(0, 255),
    kernel: release().slice(0, 255),
    wireguard: options.wireguard,
    frrMode: options.frrMode,
    frrVersion: options.frrVersion?.slice(0, 64) ?? null,
    addressDevice: options.addressDevice,
    virtualization: options.virtualization,
  };
}
