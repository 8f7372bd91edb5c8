// Reports a BFD or BGP state change at once instead of at the next timed report, so the
// dashboard turns a cut link red within BFD's detection time plus one push. FRR 8.4 has no
// event stream a client can follow, so this polls bgpd's neighbour states (with the BFD status
// each follows; one vtysh call) every ROUTING_POLL_MS and compares them. Changes are debounced:
// the first one reports at once, later ones within ROUTING_MIN_GAP_MS join one trailing report,
// so a flapping peer costs at most one report a second.
import { parseBgpNeighbors } from "@meshover/netcfg";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { TLogger } from "../log";

/** How often FRR's BFD and BGP states are read. */
export const ROUTING_POLL_MS = 400;
/** Least time between two change reports. */
export const ROUTING_MIN_GAP_MS = 1000;

/** Options of RoutingWatcher. */
export interface TRoutingWatcherOptions {
  frr: TFrrAdapter;
  logger: TLogger;
  /** Send a report now (the reporter queues it). */
  onChange(): void;
  pollMs?: number;
  minGapMs?: number;
}

/**
 * The BGP and BFD state per neighbour as one comparable text. One vtysh call: bgpd's neighbour
 * view carries the BFD status it follows, and a BFD down drops the session there at once.
 */
export async function readRoutingSignature(frr: TFrrAdapter): Promise<string> {
  try {
    return parseBgpNeighbors(await frr.show("show bgp neighbors json"))
      .map((neighbor) => `${neighbor.name} ${neighbor.state} ${neighbor.bfdStatus ?? "-"}`)
      .join("\n");
  } catch {
    return "unreadable";
  }
}

/** Polls FRR's session states and calls `onChange` (debounced) when any differs. */
export class RoutingWatcher {
  private last: string | null = null;
  private lastReportAt = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private trailingTimer: NodeJS.Timeout | null = null;
  private isStopped = false;

  constructor(private readonly options: TRoutingWatcherOptions) {}

  start(): void {
    const tick = async () => {
      if (this.isStopped) return;
      await this.poll();
      if (!this.isStopped) this.pollTimer = setTimeout(() => void tick(), this.pollMs);
    };
    this.pollTimer = setTimeout(() => void tick(), this.pollMs);
  }

  stop(): void {
    this.isStopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.trailingTimer) clearTimeout(this.trailingTimer);
  }

  private get pollMs() {
    return this.options.pollMs ?? ROUTING_POLL_MS;
  }

  /** Read once; report when the states differ from the last read (not on the first read). */
  async poll(): Promise<void> {
    const signature = await readRoutingSignature(this.options.frr);
    const previous = this.last;
    this.last = signature;
    if (previous === null || previous === signature) return;
    this.options.logger.debug("routing state changed: reporting now");
    this.schedule();
  }

  private schedule(): void {
    const gap = this.options.minGapMs ?? ROUTING_MIN_GAP_MS;
    const wait = this.lastReportAt + gap - Date.now();
    if (wait <= 0) {
      this.lastReportAt = Date.now();
      this.options.onChange();
      return;
    }
    if (this.trailingTimer) return;
    this.trailingTimer = setTimeout(() => {
      this.trailingTimer = null;
      if (this.isStopped) return;
      this.lastReportAt = Date.now();
      this.options.onChange();
    }, wait);
  }
}
