// A key rotation finishes when every pair has handshaken over its new tunnel, and the controller
// learns that from a report. Waiting for the next timed report (every few seconds) would make an
// idle mesh's rotation slow, so while a rotation's next tunnels wait for their first handshake
// the agent polls `wg show all latest-handshakes` (one light process per poll) briefly and
// reports as soon as one completes.
//
// Both ends of a next tunnel come up at about the same moment and each sends a handshake
// initiation at once. When the two cross (each sent before it saw the other's), each end answers
// the other's and drops the answer to its own, and WireGuard sends nothing more until its retry
// 5 s later (REKEY_TIMEOUT): a rotation of ~1 s took ~6 s. So the rotating end kicks a next
// tunnel still without a handshake KICK_AFTER_MS after it is configured, and again, each wait
// twice the last (up to KICK_MAX_MS: a peer that is down is not kicked every second for the
// 10 minutes its rotation lasts), as long as none comes: `kick` re-adds the peer, whose fresh
// handshake state sends a new initiation at once, which the other end answers. Only the
// rotating end kicks, so two kicks cannot cross.

/** Poll interval while some next tunnel has no handshake yet. */
export const HANDSHAKE_POLL_MS = 150;
/** Give up polling after this long (the timed reports still carry the handshakes). */
export const HANDSHAKE_WATCH_MS = 20_000;
/** A configured next tunnel without a handshake this long is kicked (see the file comment). */
export const KICK_AFTER_MS = 1000;
/** The longest wait between two kicks of one tunnel. */
export const KICK_MAX_MS = 16_000;

/** Options of HandshakeWatch. */
export interface THandshakeWatchOptions {
  /** `wg show all latest-handshakes` as read now. */
  readHandshakes(): Promise<string>;
  /** These watched tunnels completed a handshake. */
  onHandshake(devices: string[]): void;
  /** Make these tunnels' peers start a new handshake now (see the file comment). */
  kick?(devices: string[]): Promise<void>;
  now?: () => number;
}

/** Watches a rotation's next tunnels until each has a handshake, reporting each completion. */
export class HandshakeWatch {
  private readonly pending = new Set<string>();
  /**
   * Devices this end kicks: when each was seen configured or last kicked without a handshake
   * (null: not configured yet), and how long the next wait is.
   */
  private readonly kickable = new Map<string, { since: number | null; waitMs: number }>();
  private deadline = 0;
  private timer: NodeJS.Timeout | null = null;
  private isStopped = false;

  constructor(private readonly options: THandshakeWatchOptions) {}

  /**
   * Watch these tunnels (again) for their first handshake; `isKicker` on the rotating end (the
   * node with the next key), whose tunnels are kicked while no handshake comes.
   */
  watch(devices: readonly string[], isKicker = false): void {
    if (this.isStopped) return;
    for (const device of devices) {
      this.pending.add(device);
      if (isKicker && !this.kickable.has(device))
        this.kickable.set(device, { since: null, waitMs: KICK_AFTER_MS });
    }
    this.deadline = this.now() + HANDSHAKE_WATCH_MS;
    this.schedule();
  }

  /** Stop polling. */
  stop(): void {
    this.isStopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private schedule(): void {
    if (this.timer || this.isStopped || this.pending.size === 0) return;
    this.timer = setTimeout(() => void this.tick(), HANDSHAKE_POLL_MS);
  }

  private async tick(): Promise<void> {
    try {
      const text = await this.options.readHandshakes();
      const handshaken = listHandshakenDevices(text);
      const done = [...this.pending].filter((device) => handshaken.has(device));
      for (const device of done) {
        this.pending.delete(device);
        this.kickable.delete(device);
      }
      if (done.length > 0) this.options.onHandshake(done);
      this.kickStalled(listConfiguredDevices(text));
    } catch {
      // The host could not be read this time: try again next tick.
    }
    this.timer = null;
    if (this.now() > this.deadline) {
      this.pending.clear();
      this.kickable.clear();
    }
    this.schedule();
  }

  /** Kick each kickable tunnel configured (or last kicked) its wait ago without a handshake. */
  private kickStalled(configured: Set<string>): void {
    if (!this.options.kick) return;
    const now = this.now();
    const due: string[] = [];
    for (const [device, kick] of this.kickable) {
      // Not configured yet (the pass is still building it): the wait starts once it is.
      if (!configured.has(device)) continue;
      if (kick.since === null) {
        kick.since = now;
      } else if (now - kick.since >= kick.waitMs) {
        kick.since = now;
        kick.waitMs = Math.min(kick.waitMs * 2, KICK_MAX_MS);
        due.push(device);
      }
    }
    if (due.length > 0) void this.options.kick(due).catch(() => undefined);
  }
}

/** Devices with a peer in `wg show all latest-handshakes` output, handshaken or not. */
export function listConfiguredDevices(text: string): Set<string> {
  const devices = new Set<string>();
  for (const line of text.split("\n")) {
    const [device, key] = line.trim().split("\t");
    if (device && key) devices.add(device);
  }
  return devices;
}

/** Devices with a completed handshake in `wg show all latest-handshakes` output. */
export function listHandshakenDevices(text: string): Set<string> {
  const devices = new Set<string>();
  for (const line of text.split("\n")) {
    const [device, , seconds] = line.trim().split("\t");
    if (device && Number(seconds) > 0) devices.add(device);
  }
  return devices;
}
