// A key rotation finishes when every pair has handshaken over its new tunnel, and the controller
// learns that from a report. Waiting for the next timed report (every few seconds) would make an
// idle mesh's rotation slow, so while a rotation's next tunnels wait for their first handshake
// the agent polls `wg show all latest-handshakes` (one light process per poll) briefly and
// reports as soon as one completes.

/** Poll interval while some next tunnel has no handshake yet. */
export const HANDSHAKE_POLL_MS = 150;
/** Give up polling after this long (the timed reports still carry the handshakes). */
export const HANDSHAKE_WATCH_MS = 20_000;

/** Options of HandshakeWatch. */
export interface THandshakeWatchOptions {
  /** `wg show all latest-handshakes` as read now. */
  readHandshakes(): Promise<string>;
  /** One or more watched tunnels completed a handshake. */
  onHandshake(): void;
  now?: () => number;
}

/** Watches a rotation's next tunnels until each has a handshake, reporting each completion. */
export class HandshakeWatch {
  private readonly pending = new Set<string>();
  private deadline = 0;
  private timer: NodeJS.Timeout | null = null;
  private isStopped = false;

  constructor(private readonly options: THandshakeWatchOptions) {}

  /** Watch these tunnels (again) for their first handshake. */
  watch(devices: readonly string[]): void {
    if (this.isStopped) return;
    for (const device of devices) this.pending.add(device);
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
      const handshaken = listHandshakenDevices(await this.options.readHandshakes());
      const done = [...this.pending].filter((device) => handshaken.has(device));
      for (const device of done) this.pending.delete(device);
      if (done.length > 0) this.options.onHandshake();
    } catch {
      // The host could not be read this time: try again next tick.
    }
    this.timer = null;
    if (this.now() > this.deadline) this.pending.clear();
    this.schedule();
  }
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
