// A throwaway OpenSSH server on 127.0.0.1 for the "add server over SSH" tests: its own host
// key, a throwaway unprivileged user with a throwaway key and password, a free port. Root only (sshd and
// useradd). `stop()` kills sshd by its PID and deletes the user and files.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findFreePort } from "../../../scripts/lib/postgres.mjs";

/** A running test sshd. */
export type TTestSshd = {
  port: number;
  username: string;
  /** OpenSSH private key the user logs in with. */
  privateKey: string;
  /** The user's throwaway password (password login is allowed too). */
  password: string;
  /** The host key fingerprint as `ssh-keygen -l` prints it ("SHA256:..."). */
  hostFingerprint: string;
  /** Replace the host key (as a reinstalled server would) and restart sshd on the same port. */
  changeHostKey: () => Promise<string>;
  stop: () => void;
};

async function waitForPort(port: number, timeoutMs: number) {
  const { connect } = await import("node:net");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (isOpen) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether this process may start sshd and add users. */
export function canStartSshd(): boolean {
  return process.getuid?.() === 0;
}

/** Start sshd with fresh keys and a fresh user. */
export async function startSshd(): Promise<TTestSshd> {
  const dir = mkdtempSync(join(tmpdir(), "meshover-e2e-sshd-"));
  const username = `moe2e${process.pid % 100000}`;
  const keygen = (file: string) =>
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  keygen(join(dir, "host_key"));
  keygen(join(dir, "user_key"));
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "user_key.pub")), {
    mode: 0o644,
  });
  // sshd reads authorized_keys as the user: the folder must be searchable (keys stay 0600).
  chmodSync(dir, 0o755);
  const hostFingerprint = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "host_key.pub")])
    .toString()
    .split(" ")[1]!;
  // A throwaway password (sshd without PAM checks it against the shadow hash).
  const password = randomBytes(12).toString("base64url");
  const passwordHash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: password })
    .toString()
    .trim();
  execFileSync("useradd", ["-M", "-d", dir, "-s", "/bin/sh", "-p", passwordHash, username]);
  const port = await findFreePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "PermitRootLogin no",
      `AllowUsers ${username}`,
      "",
    ].join("\n"),
  );
  execFileSync("mkdir", ["-p", "/run/sshd"]);
  let log = "";
  const spawnSshd = () => {
    const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    return child;
  };
  let sshd = spawnSshd();
  const killSshd = async () => {
    if (sshd.pid && sshd.exitCode === null) {
      const exited = new Promise((r) => sshd.once("exit", r));
      process.kill(sshd.pid, "SIGTERM");
      await exited;
    }
  };
  const changeHostKey = async () => {
    await killSshd();
    rmSync(join(dir, "host_key"));
    rmSync(join(dir, "host_key.pub"));
    keygen(join(dir, "host_key"));
    sshd = spawnSshd();
    await waitForPort(port, 10_000);
    return execFileSync("ssh-keygen", ["-l", "-f", join(dir, "host_key.pub")])
      .toString()
      .split(" ")[1]!;
  };
  const stop = () => {
    if (sshd.pid && sshd.exitCode === null) process.kill(sshd.pid, "SIGTERM");
    try {
      execFileSync("userdel", [username], { stdio: "ignore" });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 10_000);
  } catch (error) {
    stop();
    throw new Error(`${(error as Error).message}\n${log}`, { cause: error });
  }
  return {
    port,
    username,
    privateKey: readFileSync(join(dir, "user_key"), "utf8"),
    password,
    hostFingerprint,
    changeHostKey,
    stop,
  };
}
