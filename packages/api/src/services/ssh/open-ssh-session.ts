// A thin promise wrapper over ssh2 for the bootstrap. The host key is checked against the
// fingerprint the admin confirmed BEFORE any authentication is attempted, so a changed key
// never sees the credential. Credentials live only in this call's arguments: nothing here
// stores or logs them (ssh2's debug output stays off).
import { Client, type ConnectConfig } from "ssh2";
import { ServiceError } from "../../lib/service-error";
import { normalizeFingerprint } from "../../lib/normalize-fingerprint";
import { fingerprintHostKey, readHostKeyType } from "./fingerprint-host-key";

/** How to log in: a password or a private key (optionally encrypted). */
export type TSshAuth =
  { kind: "password"; password: string } | { kind: "key"; privateKey: string; passphrase?: string };

/** What a server presented as its host key. */
export type THostKey = { fingerprint: string; keyType: string };

/** An open, verified SSH connection. */
export type TSshSession = {
  /** Run a command; resolves with its exit code and output (never rejects on exit code). */
  exec: (
    command: string,
    options?: { stdin?: string; timeoutMs?: number },
  ) => Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>;
  /** Copy a local file to a remote path over SFTP. */
  upload: (localPath: string, remotePath: string) => Promise<void>;
  close: () => void;
};

const CONNECT_TIMEOUT_MS = 10_000;

function describeConnectError(error: Error & { level?: string; code?: string }, host: string) {
  if (error.level === "client-authentication")
    return new ServiceError(
      "BAD_REQUEST",
      `SSH login refused by ${host}: check the user name and password or key.`,
    );
  if (error.code === "ECONNREFUSED")
    return new ServiceError(
      "PRECONDITION_FAILED",
      `Nothing listens for SSH at ${host} (connection refused): check host and port.`,
    );
  if (error.level === "client-timeout" || error.code === "ETIMEDOUT")
    return new ServiceError(
      "PRECONDITION_FAILED",
      `Timed out connecting to ${host}: check the address and firewall.`,
    );
  if (/private key|parse|passphrase/i.test(error.message))
    return new ServiceError(
      "BAD_REQUEST",
      "The private key could not be read (wrong format or passphrase).",
    );
  return new ServiceError(
    "PRECONDITION_FAILED",
    `SSH connection to ${host} failed: ${error.message}`,
  );
}

/** Connect only far enough to read the server's host key, then hang up. */
export function probeHostKey(options: { host: string; port: number }): Promise<THostKey> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey: THostKey | null = null;
    client.on("error", (error: Error & { level?: string; code?: string }) => {
      client.end();
      if (hostKey) resolve(hostKey);
      else reject(describeConnectError(error, `${options.host}:${options.port}`));
    });
    client.on("close", () => {
      if (hostKey) resolve(hostKey);
    });
    client.connect({
      host: options.host,
      port: options.port,
      username: "meshover-probe",
      readyTimeout: CONNECT_TIMEOUT_MS,
      // Refusing the key ends the handshake before any authentication is attempted.
      hostVerifier: (key: Buffer) => {
        hostKey = { fingerprint: fingerprintHostKey(key), keyType: readHostKeyType(key) };
        return false;
      },
    });
  });
}

/**
 * Open a session to a server whose host key must match `expectedFingerprint`; a different key
 * is refused (CONFLICT) before the credential is sent.
 */
export function openSshSession(options: {
  host: string;
  port: number;
  username: string;
  auth: TSshAuth;
  expectedFingerprint: string;
}): Promise<TSshSession> {
  const expected = normalizeFingerprint(options.expectedFingerprint);
  if (!expected) {
    return Promise.reject(
      new ServiceError(
        "BAD_REQUEST",
        "The expected fingerprint is not a SHA256 fingerprint (SHA256:…).",
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presented: string | null = null;
    let isSettled = false;
    const config: ConnectConfig = {
      host: options.host,
      port: options.port,
      username: options.username,
      readyTimeout: CONNECT_TIMEOUT_MS,
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        presented = fingerprintHostKey(key);
        return presented === expected;
      },
      ...(options.auth.kind === "password"
        ? { password: options.auth.password }
        : { privateKey: options.auth.privateKey, passphrase: options.auth.passphrase }),
    };
    client.on("error", (error: Error & { level?: string; code?: string }) => {
      if (isSettled) return;
      isSettled = true;
      client.end();
      if (presented && presented !== expected) {
        reject(
          new ServiceError(
            "CONFLICT",
            `Host key mismatch: ${options.host} presented ${presented}, expected ${expected}. Nothing was sent. If the server was reinstalled, verify the new key out of band and confirm it again.`,
          ),
        );
      } else reject(describeConnectError(error, `${options.host}:${options.port}`));
    });
    client.on("ready", () => {
      isSettled = true;
      resolve(wrapClient(client));
    });
    try {
      client.connect(config);
    } catch (error) {
      isSettled = true;
      reject(describeConnectError(error as Error, options.host));
    }
  });
}

function wrapClient(client: Client): TSshSession {
  return {
    exec: (command, { stdin, timeoutMs = 60_000 } = {}) =>
      new Promise((resolve, reject) => {
        client.exec(command, (error, stream) => {
          if (error) return reject(error);
          let stdout = "";
          let stderr = "";
          const timer = setTimeout(() => {
            stream.close();
            reject(
              new ServiceError(
                "PRECONDITION_FAILED",
                `Remote command timed out after ${timeoutMs / 1000} s.`,
              ),
            );
          }, timeoutMs);
          stream.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
          stream.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
          stream.on("close", (code: number | null) => {
            clearTimeout(timer);
            resolve({ code: code ?? -1, stdout, stderr });
          });
          if (stdin !== undefined) stream.end(stdin);
        });
      }),
    upload: (localPath, remotePath) =>
      new Promise((resolve, reject) => {
        client.sftp((error, sftp) => {
          if (error) return reject(error);
          sftp.fastPut(localPath, remotePath, (putError) => {
            sftp.end();
            if (putError) reject(putError);
            else resolve();
          });
        });
      }),
    close: () => client.end(),
  };
}
