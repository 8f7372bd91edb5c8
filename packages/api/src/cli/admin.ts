// `npm run admin -- <command>`: user and token administration from a shell, on the same
// database as the controller (DATABASE_URL, or the embedded one, also while the controller
// runs). Every change is audited with actor "cli".
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { backupEmbeddedDatabase, restoreEmbeddedDatabase } from "@meshover/prisma/embedded-backup";
import { ZNodeName } from "@meshover/netcfg";
import { readControllerEnv } from "../env";
import type { TActor } from "../lib/audit";
import { generateSecret } from "../lib/secrets";
import { createUser } from "../services/auth/create-user";
import { resetPassword } from "../services/auth/reset-password";
import { listNodes } from "../services/node/list-nodes";
import { createToken } from "../services/token/create-token";
import { openCliDatabase } from "./open-cli-database";
import { parseDuration } from "./parse-duration";

const USAGE = `usage: npm run admin -- <command> [options]

  create-user --email EMAIL [--role admin|viewer] [--password-stdin]
      Create a dashboard user. Without --password-stdin a random password is printed once.
  reset-password --email EMAIL [--password-stdin]
      Set a new password (random unless read from stdin) and end the user's sessions.
  create-token [--uses N] [--ttl 1h] [--name NODE]
      Create an enrollment token; the token is printed alone on the last line.
  list-nodes
      Print every node with its addresses and whether it is online.
  backup --out FILE
      Back up the embedded database (a .tar.gz of its data folder, mode 0600), also while the
      controller runs. Never point pg_dump at the embedded socket. With DATABASE_URL, back up
      that PostgreSQL server with its own tools (pg_dump).
  restore --in FILE
      Replace the embedded database with a backup (stop the controller first); the current
      data folder is moved aside, not deleted.`;

const CLI_ACTOR: TActor = { id: null, email: "cli" };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function choosePassword(
  fromStdin: boolean,
): Promise<{ password: string; isGenerated: boolean }> {
  if (fromStdin) {
    const password = await readStdin();
    if (password.length < 12) throw new Error("the password must be at least 12 characters");
    return { password, isGenerated: false };
  }
  return { password: generateSecret("", 18), isGenerated: true };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      role: { type: "string", default: "admin" },
      "password-stdin": { type: "boolean", default: false },
      uses: { type: "string", default: "1" },
      ttl: { type: "string", default: "1h" },
      name: { type: "string" },
      out: { type: "string" },
      in: { type: "string" },
    },
    strict: true,
  });
  const env = readControllerEnv();
  if (command === "backup" || command === "restore") {
    if (env.DATABASE_URL) {
      throw new Error(
        `${command} is for the embedded database; use pg_dump/pg_restore with DATABASE_URL`,
      );
    }
    const dataDir = resolve(env.MESHOVER_DATA_DIR);
    if (command === "backup") {
      if (!values.out) throw new Error("--out is required");
      const { bytes, source } = await backupEmbeddedDatabase({ dataDir, outFile: values.out });
      console.log(`backup of ${dataDir} (from the ${source}): ${values.out}, ${bytes} bytes`);
      return 0;
    }
    if (!values.in) throw new Error("--in is required");
    const { movedAside } = await restoreEmbeddedDatabase({
      dataDir,
      backup: readFileSync(values.in),
    });
    console.log(`restored ${values.in} into ${dataDir}`);
    if (movedAside) console.log(`the previous data is in ${movedAside}`);
    return 0;
  }
  const database = await openCliDatabase(env);
  console.error(`database: ${database.source}`);
  try {
    const { db } = database;
    switch (command) {
      case "create-user": {
        if (!values.email) throw new Error("--email is required");
        if (values.role !== "admin" && values.role !== "viewer") {
          throw new Error("--role must be admin or viewer");
        }
        const { password, isGenerated } = await choosePassword(values["password-stdin"]);
        const user = await createUser({
          db,
          actor: CLI_ACTOR,
          email: values.email,
          password,
          role: values.role,
        });
        console.log(`created ${user.role} ${user.email}`);
        if (isGenerated) console.log(`password (shown once): ${password}`);
        return 0;
      }
      case "reset-password": {
        if (!values.email) throw new Error("--email is required");
        const { password, isGenerated } = await choosePassword(values["password-stdin"]);
        const result = await resetPassword({ db, actor: CLI_ACTOR, email: values.email, password });
        console.log(`password of ${result.email} reset; ${result.sessionsEnded} session(s) ended`);
        if (isGenerated) console.log(`password (shown once): ${password}`);
        return 0;
      }
      case "create-token": {
        const uses = Number(values.uses);
        if (!Number.isInteger(uses) || uses < 1 || uses > 1000) {
          throw new Error("--uses must be an integer from 1 to 1000");
        }
        const ttlSec = parseDuration(values.ttl);
        const nodeName = values.name ? ZNodeName.parse(values.name) : null;
        const token = await createToken({
          db,
          actor: CLI_ACTOR,
          usesAllowed: uses,
          ttlSec,
          nodeName,
        });
        console.log(
          `enrollment token ${token.hint}… for ${uses} node(s)` +
            `${nodeName ? ` named ${nodeName}` : ""}, valid until ${token.expiresAt.toISOString()}:`,
        );
        console.log(token.token);
        return 0;
      }
      case "list-nodes": {
        const nodes = await listNodes({ db });
        if (nodes.length === 0) {
          console.log("no nodes");
          return 0;
        }
        const rows = nodes.map((node) => [
          String(node.index),
          node.name,
          node.ipv4,
          node.ipv6,
          String(node.asn),
          node.isOnline ? "online" : "offline",
          node.lastSeenAt?.toISOString() ?? "never",
        ]);
        const header = ["INDEX", "NAME", "IPV4", "IPV6", "ASN", "STATE", "LAST SEEN"];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        for (const row of [header, ...rows]) {
          console.log(
            row
              .map((cell, i) => cell.padEnd(widths[i]!))
              .join("  ")
              .trimEnd(),
          );
        }
        return 0;
      }
      default:
        console.error(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
