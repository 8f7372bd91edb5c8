// The FRR adapter for a mode: managed, system, or none (null: the agent leaves routing alone).
import type { TFrrAdapter, TFrrAdapterOptions, TFrrMode } from "./frr-adapter";
import { ManagedFrr } from "./managed-frr";
import { SystemFrr } from "./system-frr";

/** The adapter for `mode`, null for `none`. */
export function createFrrAdapter(mode: TFrrMode, options: TFrrAdapterOptions): TFrrAdapter | null {
  switch (mode) {
    case "managed":
      return new ManagedFrr(options);
    case "system":
      return new SystemFrr(options);
    case "none":
      return null;
  }
}
