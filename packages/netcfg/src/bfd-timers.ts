// BFD timers per node. Each end of a BFD session asks for its own transmit and receive
// intervals and the session runs at the slower of the two (RFC 5880 §6.8.2), so a node that
// needs gentler timers gets them on its own sessions only; the rest of the mesh keeps the fast
// ones.

import type { TBfdTimers } from "./plan/host-state";

/**
 * The mesh's BFD timers: 250 ms × 3 declares a silent tunnel dead after 0.75 s, so a dead node
 * is routed around within 1 s (its last route goes about 0.1 s after the last peer's BFD fires).
 * Software-emulated guests, whose pauses such timers read as dead links, get their own below.
 */
export const BFD_TIMERS: TBfdTimers = { intervalMs: 250, multiplier: 3 };

/**
 * Timers of a node on a software-emulated machine (qemu without KVM): such a guest pauses for
 * about a second when its host is busy, which 0.9 s reads as a dead link and resets every
 * session. 1 s × 3: its links fail over in about 3 s instead.
 */
export const BFD_TIMERS_SOFTWARE_EMULATED: TBfdTimers = { intervalMs: 1000, multiplier: 3 };

/** `systemd-detect-virt --vm` names of machines emulated in software (no hardware help). */
const SOFTWARE_EMULATORS = new Set(["qemu", "bochs"]);

/** Whether the agent's `virtualization` fact names a software-emulated machine. */
export function isSoftwareEmulated(virtualization: string | null | undefined): boolean {
  return virtualization != null && SOFTWARE_EMULATORS.has(virtualization);
}

/** The BFD timers a node gets: the mesh's, unless its machine is emulated in software. */
export function chooseBfdTimers(virtualization: string | null | undefined): TBfdTimers {
  return { ...(isSoftwareEmulated(virtualization) ? BFD_TIMERS_SOFTWARE_EMULATED : BFD_TIMERS) };
}
