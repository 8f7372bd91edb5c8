// Reports a BFD or BGP state change at once instead of at the next timed report, so the
// dashboard turns a cut link red within BFD's detection time plus one push. FRR 8.4 has no
// event stream a client can follow, but the kernel has one: a BFD down makes bgpd drop the
// session and zebra withdraw its routes at once, and `ip monitor` sees those `proto bgp` routes
// (and zebra's next hops) go. So the watcher follows that stream in the node's namespace and
// reads bgpd's neighbour states (one vtysh call, with the BFD status each follows) only when a
// BGP route changed, plus on a slow safety poll for sessions that carry no routes. When the
// stream dies it is restarted (with a growing delay) and, until it runs again, the states are
// polled fast as before. Changes are debounced: the first one reports at once, later ones
// within ROUTING_MIN_GAP_MS join one trailing report, so a flapping peer costs at most one
// report a second.
import { parseBgpNeighbors } from "@meshover/netcfg";
import type { TLineStream, TRunner } from "../exec/run-command";
import type { TFrrAdapter } from "../frr/frr-adapter";
import type { TLogger } from "../log";

/** How often FRR's states are read while no route stream runs (the fallback). */
export const ROUTING_POLL_MS = 400;
/** How often they are read while the stream runs: sessions that carry no routes. */
export const ROUTING_SAFETY_POLL_MS = 5000;
/** Least time between two change reports. */
export const ROUTING_MIN_GAP_MS = 1000;
/** First delay before restarting a dead route stream; doubles up to the maximum. */
export const STREAM_RESTART_MS = 1000;
const STREAM_RESTART_MAX_MS = 30_000;
/** A stream that ran this long before dying restarts after the first delay again. */
const STREAM_HEALTHY_MS = 60_000;

/** The kernel's route and next-hop events, one per line. */
export const ROUTE_MONITOR_ARGV = ["ip", "-o", "monitor", "route", "nexthop"] as const;

/** Whether a line of `ip monitor` is about a route or next hop FRR installed or removed. */
export function isFrrRouteEvent(line: string): boolean {
  return / proto (bgp|zebra)\b/.test(line);
}

/** Options of RoutingWatcher. */
export interface TRoutingWatcherOptions {
  frr: TFrrAdapter;
  logger: TLogger;
  /**
   * The states changed: report now (the reporter sends at once). `neighbors` is the
   * `show bgp neighbors json` text that showed the change, so the report needs no read of its own.
   */
  onChange(neighbors: string): void;
  /** Runs the route stream; without `streamLines` the watcher only polls (ROUTING_POLL_MS). */
  runner?: TRunner;
  pollMs?: number;
  safetyPollMs?: number;
  minGapMs?: number;
  restartMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** The BGP and BFD state per neighbour as one comparable text, with the text it came from. */
export async function readRoutingSignature(
  frr: TFrrAdapter,
): Promise<{ signature: string; text: string | null }> {
  try {
    const text = await frr.show("show bgp neighbors json");
    const signature = parseBgpNeighbors(text)
      .map((neighbor) => `${neighbor.name} ${neighbor.state} ${neighbor.bfdStatus ?? "-"}`)
      .join("\n");
    return { signature, text };
  } catch {
    return { signature: "unreadable", text: null };
  }
}

/** Follows FRR's session states and calls `onChange` (debounced) when any differs. */
export class RoutingWatcher {
  private last: string | null = null;
  private lastText: string | null = null;
  /** When the last read returned text (null: no read did yet, or the last one failed). */
  private lastTextAt: number | null = null;
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private pollTimer: NodeJS.Timeout | null = null;
  private trailingTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private stream: TLineStream | null = null;
  private streamStartedAt = 0;
  private restartDelay: number;
  private reading: Promise<void> | null = null;
  private isReadAgain = false;
  private isStopped = false;
  /** Reads done so far (tests and logs). */
  readCount = 0;

  constructor(private readonly options: TRoutingWatcherOptions) {
    this.restartDelay = options.restartMs ?? STREAM_RESTART_MS;
  }

  /**
   * The `show bgp neighbors json` text of the last read if it succeeded and is at most `maxAgeMs`
   * old (a read every 5 s at least while FRR runs), for others that need bgpd's sessions.
   */
  recentNeighbors(maxAgeMs: number): string | null {
    if (this.lastTextAt === null || this.now() - this.lastTextAt > maxAgeMs) return null;
    return this.lastText;
  }

  /** Whether the route stream runs (false: polling fast). */
  get isStreaming(): boolean {
    return this.stream !== null;
  }

  start(): void {
    this.openStream();
    this.schedulePoll();
  }

  stop(): void {
    this.isStopped = true;
    for (const timer of [this.pollTimer, this.trailingTimer, this.restartTimer])
      if (timer) clearTimeout(timer);
    this.stream?.stop();
    this.stream = null;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** The next timed read: slow while the stream runs, fast while it does not. */
  private schedulePoll(): void {
    if (this.isStopped) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const wait = this.stream
      ? (this.options.safetyPollMs ?? ROUTING_SAFETY_POLL_MS)
      : (this.options.pollMs ?? ROUTING_POLL_MS);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      void this.read().finally(() => this.schedulePoll());
    }, wait);
  }

  private openStream(): void {
    const { runner, logger } = this.options;
    if (this.isStopped || !runner?.streamLines) return;
    this.streamStartedAt = this.now();
    this.stream = runner.streamLines(ROUTE_MONITOR_ARGV, {
      onLine: (line) => {
        if (isFrrRouteEvent(line)) void this.read();
      },
      onExit: (code, reason) => {
        this.stream = null;
        if (this.isStopped) return;
        if (this.now() - this.streamStartedAt >= STREAM_HEALTHY_MS)
          this.restartDelay = this.options.restartMs ?? STREAM_RESTART_MS;
        logger.warn(
          { code, reason, restartInMs: this.restartDelay },
          "route monitor ended: polling FRR until it runs again",
        );
        // Poll fast from now on; what changed while the stream was dying is read at once.
        void this.read();
        this.schedulePoll();
        this.restartTimer = setTimeout(() => {
          this.restartTimer = null;
          this.openStream();
          if (!this.stream) return;
          // What changed between the last fast poll and the stream's first line.
          void this.read();
          this.schedulePoll();
        }, this.restartDelay);
        this.restartDelay = Math.min(this.restartDelay * 2, STREAM_RESTART_MAX_MS);
      },
    });
  }

  /**
   * Read once (a read asked for while one runs is done once more after it: a burst of route
   * events costs at most two reads); report when the states differ from the last read (not on
   * the first read).
   */
  read(): Promise<void> {
    if (this.reading) {
      this.isReadAgain = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.isReadAgain = false;
          await this.readOnce();
        } while (this.isReadAgain && !this.isStopped);
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    this.readCount += 1;
    const { signature, text } = await readRoutingSignature(this.options.frr);
    const previous = this.last;
    this.last = signature;
    if (text !== null) this.lastText = text;
    this.lastTextAt = text === null ? null : this.now();
    if (previous === null || previous === signature || this.isStopped) return;
    this.options.logger.debug("routing state changed: reporting now");
    this.schedule();
  }

  private schedule(): void {
    const gap = this.options.minGapMs ?? ROUTING_MIN_GAP_MS;
    const wait = this.lastReportAt + gap - this.now();
    if (wait <= 0) return this.fire();
    if (this.trailingTimer) return;
    this.trailingTimer = setTimeout(() => {
      this.trailingTimer = null;
      if (!this.isStopped) this.fire();
    }, wait);
  }

  private fire(): void {
    this.lastReportAt = this.now();
    // An unreadable FRR reports with an empty view: the reporter then collects what it can.
    try {
      this.options.onChange(this.last === "unreadable" ? "" : (this.lastText ?? ""));
    } catch (error) {
      this.options.logger.warn({ error: String(error) }, "routing change report failed");
    }
  }
}
