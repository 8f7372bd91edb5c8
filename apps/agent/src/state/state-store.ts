// The agent's state folder: identity and credential, WireGuard keys, the last config, and
// what the agent created on the host (so `leave` and crash recovery can clean up).
// Every file is written atomically (temp + rename) with mode 0600.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ZDesiredNodeConfig, type TDesiredNodeConfig } from "@meshover/netcfg";
import {
  EMPTY_OWNED_RECORD,
  ZHostFacts,
  ZIdentity,
  ZKeyPair,
  ZOwnedRecord,
  type THostFacts,
  type TIdentity,
  type TKeyPair,
  type TKeyPairOnly,
  type TOwnedRecord,
} from "./state-files";

const ZCachedConfig = z.object({ receivedAt: z.string(), config: ZDesiredNodeConfig });

/** Typed access to the state folder. */
export class StateStore {
  /** owned.json as this process last read or wrote it. */
  private owned: TOwnedRecord | null = null;

  constructor(readonly dir: string) {}

  /** Create the folder (0700) when missing. */
  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    mkdirSync(join(this.dir, "logs"), { recursive: true, mode: 0o700 });
  }

  /** Path of a file in the folder. */
  path(name: string): string {
    return join(this.dir, name);
  }

  private readJson<T>(name: string, schema: z.ZodType<T>): T | null {
    const file = this.path(name);
    if (!existsSync(file)) return null;
    return schema.parse(JSON.parse(readFileSync(file, "utf8")));
  }

  /** Write a file atomically with mode 0600. */
  writeFile(name: string, text: string): void {
    const file = this.path(name);
    const temp = `${file}.tmp-${process.pid}`;
    writeFileSync(temp, text, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  }

  private writeJson(name: string, value: unknown): void {
    this.writeFile(name, `${JSON.stringify(value, null, 2)}\n`);
  }

  /** identity.json, or null before `join`. */
  readIdentity(): TIdentity | null {
    return this.readJson("identity.json", ZIdentity);
  }
  /** Save identity.json. */
  writeIdentity(identity: TIdentity): void {
    this.writeJson("identity.json", identity);
  }

  /** keys.json, or null before `join`. */
  readKeys(): TKeyPair | null {
    return this.readJson("keys.json", ZKeyPair);
  }
  /** Save keys.json. */
  writeKeys(keys: TKeyPair): void {
    this.writeJson("keys.json", keys);
  }
  /** Write the private key alone to a 0600 file for `wg set ... private-key <file>`. */
  writePrivateKeyFile(keys: TKeyPairOnly, name = "private.key"): string {
    // Every `wg set` that sets the key asks for it: written only when it changed.
    const text = `${keys.privateKey}\n`;
    const file = this.path(name);
    if (!existsSync(file) || readFileSync(file, "utf8") !== text) this.writeFile(name, text);
    return file;
  }

  /** The cached config, or null. */
  readCachedConfig(): TDesiredNodeConfig | null {
    return this.readJson("config.json", ZCachedConfig)?.config ?? null;
  }
  /** Cache a config. */
  writeCachedConfig(config: TDesiredNodeConfig, now: Date): void {
    this.writeJson("config.json", { receivedAt: now.toISOString(), config });
  }

  /**
   * owned.json (empty record when missing). This process is its only writer while it runs, so
   * what it last read or wrote is kept and handed out as a copy (no file read and schema check
   * for each of the dozens of updates in a pass).
   */
  readOwned(): TOwnedRecord {
    this.owned ??= this.readJson("owned.json", ZOwnedRecord) ?? structuredClone(EMPTY_OWNED_RECORD);
    return structuredClone(this.owned);
  }
  /** Save owned.json. */
  writeOwned(owned: TOwnedRecord): void {
    this.writeJson("owned.json", owned);
    this.owned = structuredClone(owned);
  }
  /**
   * Change owned.json from its current contents and save it; returns the new record. Read and
   * write are synchronous, so concurrent tasks (FRR starting while tunnels are built, tunnels
   * built side by side) each merge their own part and never lose another's.
   */
  updateOwned(change: (owned: TOwnedRecord) => TOwnedRecord): TOwnedRecord {
    const next = change(this.readOwned());
    // Only a change goes to disk: each write is a write and a rename, and on ext4 a rename
    // over a file starts writeback (a 12-peer first pass spent 0.8 s of an agent's first 8 s
    // in renames while every agent and daemon started at once).
    if (JSON.stringify(next) !== JSON.stringify(this.owned)) this.writeOwned(next);
    return next;
  }

  /** host-facts.json (empty when missing). */
  readHostFacts(): THostFacts {
    return this.readJson("host-facts.json", ZHostFacts) ?? {};
  }
  /** Merge into host-facts.json. */
  writeHostFacts(facts: THostFacts): void {
    if (!existsSync(this.dir)) return;
    this.writeJson("host-facts.json", { ...this.readHostFacts(), ...facts });
  }

  /** Last health summary written by `run` for `status`. */
  readStatus(): unknown {
    const file = this.path("status.json");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as unknown) : null;
  }
  /** Save the health summary. */
  writeStatus(status: unknown): void {
    this.writeJson("status.json", status);
  }

  /** Remove everything `join` and `run` wrote. */
  removeAll(): void {
    for (const name of [
      "identity.json",
      "keys.json",
      "private.key",
      "config.json",
      "owned.json",
      "status.json",
      "host-facts.json",
      "frr-candidate.conf",
    ]) {
      rmSync(this.path(name), { force: true });
    }
    this.owned = null;
  }
}
