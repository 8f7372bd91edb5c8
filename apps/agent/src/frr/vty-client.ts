// FRR's show commands straight over each daemon's vty socket (`<run dir>/<daemon>.vty`), the
// socket vtysh itself talks to: the command goes out NUL-terminated, the answer comes back
// followed by three NUL bytes and the command's status. A vtysh process first builds FRR's whole
// command tree (~30–40 ms of CPU before it asks anything, more on a busy host); the health
// reports and the routing watcher asked ~200 times in a 12-node cold start's first 16 s. One
// connection per daemon, kept open, one command at a time on it (after an `enable`, as vtysh).
// Only reads go this way: the config is written through vtysh and frr-reload.py as before.
import { createConnection, type Socket } from "node:net";

/** The daemon that answers a show command the agent reads (null: ask vtysh). */
export function daemonOfShow(command: string): string | null {
  if (/^show bgp\b/.test(command)) return "bgpd";
  if (/^show bfd\b/.test(command)) return "bfdd";
  if (/^show version\b/.test(command)) return "zebra";
  return null;
}

/** A command the daemon refused (its status was not success). */
export class VtyCommandError extends Error {
  constructor(
    readonly daemon: string,
    readonly command: string,
    readonly status: number,
    output: string,
  ) {
    super(`${daemon}: ${command}: status ${status}: ${output.trim().slice(0, 200)}`);
  }
}

interface TPending {
  command: string;
  resolve: (output: string) => void;
  reject: (error: Error) => void;
}

/** One daemon's vty socket, opened on first use and again after it closes. */
class VtyConnection {
  private socket: Socket | null = null;
  private queue: TPending[] = [];
  private current: TPending | null = null;
  private chunks: Buffer[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly daemon: string,
    private readonly path: string,
    private readonly timeoutMs: number,
  ) {}

  run(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      this.next();
    });
  }

  close(): void {
    this.fail(new Error(`${this.daemon}: vty closed`));
  }

  private next(): void {
    if (this.current || this.queue.length === 0) return;
    if (!this.socket) {
      this.open();
      // vtysh's session runs in the enable node; a new connection starts in the view node,
      // where some show commands do not exist (bfdd's `show bfd peers` answers "Unknown
      // command"). A failed enable fails nothing by itself: the command after it tells.
      this.queue.unshift({ command: "enable", resolve: () => undefined, reject: () => undefined });
    }
    this.current = this.queue.shift()!;
    this.chunks = [];
    const socket = this.socket!;
    socket.ref();
    this.timer = setTimeout(
      () => this.fail(new Error(`${this.daemon}: no answer within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    socket.write(`${this.current.command}\0`);
  }

  private open(): void {
    const socket = createConnection(this.path);
    socket.on("data", (chunk) => this.receive(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error(`${this.daemon}: vty connection closed`)));
    this.socket = socket;
  }

  private receive(chunk: Buffer): void {
    if (!this.current) return;
    this.chunks.push(chunk);
    const data = chunk.length >= 4 ? chunk : Buffer.concat(this.chunks);
    const end = data.length;
    // The answer ends in 0 0 0 <status>; a NUL never occurs in the text before it.
    if (end < 4 || data[end - 4] !== 0 || data[end - 3] !== 0 || data[end - 2] !== 0) return;
    const whole = Buffer.concat(this.chunks);
    const status = whole[whole.length - 1]!;
    const output = whole.subarray(0, whole.length - 4).toString("utf8");
    const done = this.current;
    this.finish();
    if (status === 0) done.resolve(output);
    else done.reject(new VtyCommandError(this.daemon, done.command, status, output));
    this.next();
  }

  private finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
    this.chunks = [];
    // An idle connection does not keep the agent's process alive.
    this.socket?.unref();
  }

  /** Drop the connection and fail what waits on it (the next command opens a new one). */
  private fail(error: Error): void {
    const waiting = [...(this.current ? [this.current] : []), ...this.queue];
    this.queue = [];
    this.finish();
    this.socket?.destroy();
    this.socket = null;
    for (const pending of waiting) pending.reject(error);
  }
}

/** Show commands over the vty sockets in `dir`. */
export class VtyClient {
  private readonly connections = new Map<string, VtyConnection>();

  constructor(
    private readonly dir: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** `command`'s output from `daemon` (throws when the daemon is not there or refuses it). */
  show(daemon: string, command: string): Promise<string> {
    let connection = this.connections.get(daemon);
    if (!connection) {
      connection = new VtyConnection(daemon, `${this.dir}/${daemon}.vty`, this.timeoutMs);
      this.connections.set(daemon, connection);
    }
    return connection.run(command);
  }

  /** Close every connection. */
  close(): void {
    for (const connection of this.connections.values()) connection.close();
  }
}
