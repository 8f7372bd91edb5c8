// The one error type netcfg throws, so callers (the API's services, the agent) can map a bad
// CIDR, an exhausted pool or a conflict to a clear message without parsing text.

/** What went wrong, machine-readable. */
export type TNetcfgErrorCode =
  /** Text is not an IPv4/IPv6 address. */
  | "INVALID_ADDRESS"
  /** Text is not a valid CIDR prefix, or has host bits set where a network is expected. */
  | "INVALID_CIDR"
  /** A pool (address or ASN range) cannot be used: wrong family, empty, out of range. */
  | "INVALID_POOL"
  /** A prefix that may never be used here: default route, link-local, multicast, loopback. */
  | "INVALID_PREFIX"
  /** No free value left in a pool. */
  | "POOL_EXHAUSTED"
  /** Two prefixes overlap where they must not. */
  | "OVERLAP"
  /** Two nodes share a value that must be unique (id, index, ASN, address). */
  | "DUPLICATE"
  /** A tool (ip, wg, vtysh) printed something the parser does not understand. */
  | "INVALID_TOOL_OUTPUT"
  /** A config delta does not apply to the config at hand (other base version or node). */
  | "DELTA_MISMATCH"
  /** A plan cannot be turned into commands (an FRR operation its model does not cover). */
  | "INVALID_PLAN";

/** The typed error every netcfg function throws on bad input. */
export class NetcfgError extends Error {
  /** Machine-readable reason. */
  readonly code: TNetcfgErrorCode;

  /** @param code machine-readable reason; @param message a sentence an admin can act on. */
  constructor(code: TNetcfgErrorCode, message: string) {
    super(message);
    this.name = "NetcfgError";
    this.code = code;
  }
}

/** True when `error` is a NetcfgError (optionally with the given code). */
export function isNetcfgError(error: unknown, code?: TNetcfgErrorCode): error is NetcfgError {
  return error instanceof NetcfgError && (code === undefined || error.code === code);
}
