// The Postgres wire protocol in front of one PGlite, for several clients (the controller's
// pool, the migration engine, the admin CLI). PGlite is a single Postgres session, and
// @electric-sql/pglite-socket 0.2 interleaves its clients message by message: one client's
// Bind can run against another's Parse (a query got another query's rows), and a SET from any
// client (pg_dump clears search_path) changes everyone's session. Here a client owns the
// session for a whole turn, from its first message until PGlite is idle outside a transaction
// after a Sync or a simple Query, and each client keeps its own session settings: when the
// session passes to another client, the previous owner's SET values are saved, reset, and the
// new owner's restored.
import { rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** A running server; `close` stops accepting and drops every client. */
export interface TPgliteServer {
  close(): Promise<void>;
  /** A gzipped tar of the data folder, taken between clients' turns (no transaction open). */
  backup(): Promise<Blob>;
}

interface TClient {
  id: number;
  /** Settings this client changed with SET, restored when it gets the session back. */
  settings: [string, string][];
  /** It sent a statement that may change settings since they were last saved. */
  isDirty: boolean;
}

// Saving settings costs a scan of pg_settings, too slow for every turn of a busy pool; only a
// client that sent SET / RESET / DISCARD / set_config() can have changed them. (Statements
// start the text of a Query, or follow the statement name's NUL in a Parse.)
const CHANGES_SETTINGS = /(?:^|[;\0])\s*(?:set|reset|discard)\b|set_config/i;

/** Whether a Query or Parse message may change session settings. */
function mayChangeSettings(type: string, message: Uint8Array): boolean {
  if (type !== "Q" && type !== "P") return false;
  return CHANGES_SETTINGS.test(
    Buffer.from(message.buffer, message.byteOffset + 5, message.byteLength - 5).toString("latin1"),
  );
}

// Exclusive turns on the one session, in arrival order.
class SessionTurns {
  private owner: TClient | null = null;
  private lastOwner: TClient | null = null;
  private readonly waiting: { client: TClient; grant: () => void }[] = [];

  constructor(private readonly db: PGlite) {}

  async acquire(client: TClient): Promise<void> {
    if (this.owner === client) return;
    if (this.owner) {
      await new Promise<void>((grant) => this.waiting.push({ client, grant }));
    }
    this.owner = client;
    if (this.lastOwner !== client) await this.switchSettings(this.lastOwner, client);
    this.lastOwner = client;
  }

  release(client: TClient): void {
    if (this.owner !== client) return;
    this.owner = null;
    const next = this.waiting.shift();
    if (next) {
      this.owner = next.client;
      next.grant();
    }
  }

  /** The client left: its settings go with it. */
  forget(client: TClient): void {
    const index = this.waiting.findIndex((entry) => entry.client === client);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  private async switchSettings(from: TClient | null, to: TClient): Promise<void> {
    if (from?.isDirty) {
      const changed = await this.db.query<{ name: string; value: string }>(
        "SELECT name, current_setting(name) AS value FROM pg_settings WHERE source = 'session'",
      );
      from.settings = changed.rows.map((row) => [row.name, row.value]);
      from.isDirty = false;
    }
    if (from && from.settings.length > 0) await this.db.exec("RESET ALL");
    for (const [name, value] of to.settings) {
      await this.db.query("SELECT set_config($1, $2, false)", [name, value]);
    }
  }
}

/** Serve `db` on the Unix socket `path` (the caller keeps its folder private). */
export async function servePglite({
  db,
  path,
}: {
  db: PGlite;
  path: string;
}): Promise<TPgliteServer> {
  const turns = new SessionTurns(db);
  const sockets = new Set<Socket>();
  let nextId = 1;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveClient({ db, turns, socket, client: { id: nextId++, settings: [], isDirty: false } });
  });
  rmSync(path, { force: true }); // a socket file left by a crash would block listen
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, resolve);
  });
  return {
    async backup() {
      const owner: TClient = { id: 0, settings: [], isDirty: false };
      await turns.acquire(owner);
      try {
        await db.exec("CHECKPOINT");
        return await db.dumpDataDir("gzip");
      } finally {
        turns.release(owner);
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(path, { force: true });
    },
  };
}

function serveClient({
  db,
  turns,
  socket,
  client,
}: {
  db: PGlite;
  turns: SessionTurns;
  socket: Socket;
  client: TClient;
}): void {
  let buffer: Buffer = Buffer.alloc(0);
  let isStarted = false;
  let isClosed = false;
  let holdsTurn = false;
  // Messages run strictly in order, one at a time, through this chain.
  let chain = Promise.resolve();

  const run = async (message: Uint8Array, endsCycle: boolean, isSetting = false) => {
    if (isClosed) return;
    if (!holdsTurn) {
      await turns.acquire(client);
      holdsTurn = true;
    }
    // Marked within the turn: a save made before this message runs must not clear it.
    if (isSetting) client.isDirty = true;
    await db.runExclusive(() =>
      db.execProtocolRawStream(message, {
        onRawData: (data) => {
          if (!socket.destroyed) socket.write(data);
        },
      }),
    );
    if (endsCycle && !db.isInTransaction()) {
      holdsTurn = false;
      turns.release(client);
    }
  };

  const finish = async () => {
    if (isClosed) return;
    isClosed = true;
    turns.forget(client);
    await chain;
    if (holdsTurn) {
      // A client that vanished inside a transaction must not leave it open for the others.
      if (db.isInTransaction()) await db.exec("ROLLBACK").catch(() => undefined);
      holdsTurn = false;
      turns.release(client);
    }
  };

  socket.on("data", (data: Buffer) => {
    buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data]);
    for (;;) {
      if (!isStarted) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          socket.write("N"); // no encryption on a private Unix socket
          continue;
        }
        if (code === CANCEL_REQUEST || code !== PROTOCOL_3) {
          socket.destroy(); // PGlite has no backend to signal
          return;
        }
        isStarted = true;
        const startup = new Uint8Array(message);
        chain = chain
          .then(() => run(startup, true))
          .catch(() => {
            socket.destroy();
          });
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const type = String.fromCharCode(buffer[0]!);
      const message = new Uint8Array(buffer.subarray(0, length));
      buffer = buffer.subarray(length);
      if (type === "X") {
        socket.end(); // Terminate ends this client, never the shared session
        return;
      }
      // Sync ends an extended-protocol cycle, Query a simple one.
      const endsCycle = type === "S" || type === "Q";
      const isSetting = mayChangeSettings(type, message);
      chain = chain
        .then(() => run(message, endsCycle, isSetting))
        .catch(() => {
          socket.destroy();
        });
    }
  });
  socket.on("error", () => socket.destroy());
  socket.on("close", () => void finish());
}
