// A small tRPC-over-HTTP client for the lab: the same requests a browser sends (superjson
// envelope, session cookie, Origin header on mutations), without depending on the router's
// TypeScript types, so the lab keeps compiling while the API grows.
import { TRPC_PATH } from "@meshover/netcfg";

/** An error answer from the API, with tRPC's code. */
export class ApiError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
  ) {
    super(`${path}: ${code}: ${message}`);
    this.name = "ApiError";
  }
}

interface TTrpcAnswer {
  result?: { data?: { json?: unknown } };
  error?: { json?: { message?: string; data?: { code?: string } } };
}

/** A signed-in (or anonymous) API session against one controller. */
export class ApiClient {
  private cookie: string | null = null;

  constructor(readonly baseUrl: string) {}

  /** Sign in with e-mail and password (auth.login); keeps the session cookie. */
  async logIn(email: string, password: string) {
    const response = await this.send("auth.login", "mutation", { email, password });
    await this.unwrap("auth.login", response);
    const setCookie = response.headers.getSetCookie();
    const session = setCookie.find((value) => value.startsWith("meshover_session="));
    if (!session) throw new Error("auth.login answered without a session cookie");
    this.cookie = session.split(";")[0]!;
  }

  /** Call a query procedure. */
  async query<T = unknown>(path: string, input?: unknown): Promise<T> {
    return this.unwrap<T>(path, await this.send(path, "query", input));
  }

  /** Call a mutation procedure. */
  async mutate<T = unknown>(path: string, input?: unknown): Promise<T> {
    return this.unwrap<T>(path, await this.send(path, "mutation", input));
  }

  private async send(path: string, kind: "query" | "mutation", input: unknown) {
    // superjson's envelope; no input at all is an empty envelope (undefined after decoding).
    const envelope = JSON.stringify(input === undefined ? {} : { json: input });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.cookie) headers.cookie = this.cookie;
    const url = `${this.baseUrl}${TRPC_PATH}/${path}`;
    if (kind === "query") {
      const query = input === undefined ? "" : `?input=${encodeURIComponent(envelope)}`;
      return fetch(`${url}${query}`, {
        headers,
        signal: AbortSignal.timeout(15_000),
      });
    }
    headers.origin = this.baseUrl;
    return fetch(url, {
      method: "POST",
      headers,
      body: envelope,
      signal: AbortSignal.timeout(15_000),
    });
  }

  private async unwrap<T>(path: string, response: Response): Promise<T> {
    const text = await response.text();
    let answer: TTrpcAnswer;
    try {
      answer = JSON.parse(text) as TTrpcAnswer;
    } catch {
      throw new ApiError(path, `HTTP ${response.status}`, text.slice(0, 200));
    }
    if (answer.error || !response.ok) {
      const json = answer.error?.json;
      throw new ApiError(
        path,
        json?.data?.code ?? `HTTP ${response.status}`,
        json?.message ?? text.slice(0, 200),
      );
    }
    return answer.result?.data?.json as T;
  }
}
