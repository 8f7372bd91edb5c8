// The one tRPC setup: context, and the procedure builders every router uses.
//  - publicProcedure: anyone (login, setup, agent enrollment).
//  - protectedProcedure: a signed-in dashboard user (session cookie), narrowed in ctx.session.
//  - adminProcedure: a signed-in user with role admin (viewers are read only).
//  - agentProcedure: an agent, by `Authorization: Bearer <node credential>`.
// Every mutation must come from our own origin (CSRF), whoever sends it.
import { TRPCError, initTRPC } from "@trpc/server";
import { ZodError } from "zod";
import { isNetcfgError, isStorableText, type TNetcfgErrorCode } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import type { TActor } from "./lib/audit";
import { getMeshFanout } from "./lib/mesh-fanout";
import { isSameOriginRequest, isSecureRequest, readClientIp } from "./lib/request-info";
import { ServiceError } from "./lib/service-error";
import { transformer } from "./lib/transformer";
import { SESSION_COOKIE, readCookie } from "./lib/session-cookie";
import { authenticateNode } from "./services/agent/authenticate-node";
import { resolveSession } from "./services/auth/resolve-session";

/** Options for {@link createContextInner}: everything a procedure may depend on. */
export interface TCreateContextOptions {
  db: TPrismaClient;
  /** Request headers (cookie, authorization, origin, forwarded address). Empty in tests. */
  headers?: Headers;
  /** Response headers procedures may set (Set-Cookie). */
  resHeaders?: Headers;
  /** Public URL of the controller: its origin is accepted on mutations besides the Host. */
  publicUrl?: string;
  /** The id the HTTP handler gave this request (logged with every error, sent back to the client). */
  requestId?: string;
}

/** Build the context without an HTTP request (tests, server-side callers, the CLI). */
export function createContextInner({
  db,
  headers,
  resHeaders,
  publicUrl,
  requestId,
}: TCreateContextOptions) {
  const requestHeaders = headers ?? new Headers();
  return {
    db,
    headers: requestHeaders,
    resHeaders: resHeaders ?? new Headers(),
    publicUrl,
    requestId: requestId ?? null,
    fanout: getMeshFanout(db),
    ip: readClientIp(requestHeaders),
    isSecure: isSecureRequest(requestHeaders),
  };
}

/** The context of a tRPC request over HTTP (the fetch adapter passes headers and resHeaders). */
export function createTRPCContext(options: TCreateContextOptions & { headers: Headers }) {
  return createContextInner(options);
}

/** What every procedure receives as ctx. */
export type TContext = ReturnType<typeof createContextInner>;

const t = initTRPC.context<TContext>().create({
  transformer,
  sse: {
    // Pings keep proxies from closing an idle config stream; the client reconnects if even
    // pings stop arriving.
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 40_000 },
  },
  errorFormatter({ shape, error, ctx }) {
    // No stack traces to clients, and no text of unexpected errors either: a database error's
    // message names tables, columns and values. The log has it, under the same request id.
    const { stack: _stack, ...data } = shape.data;
    const isInternal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      message: isInternal ? INTERNAL_ERROR_MESSAGE : shape.message,
      data: {
        ...data,
        requestId: ctx?.requestId ?? null,
        // Field-by-field reasons for bad input, so forms and agents can say what is wrong.
        zodError: error.cause instanceof ZodError ? error.cause.flatten() : null,
        // The field a service refused (a ServiceError with a path), for the same purpose.
        path: error.cause instanceof ServiceError ? error.cause.path : null,
      },
    };
  },
});

/** What a client sees of an unexpected error instead of its text. */
export const INTERNAL_ERROR_MESSAGE = "internal server error (the controller log has details)";

/** Build a router. */
export const createTRPCRouter = t.router;
/** Build a server-side caller factory for a router (tests, RSC, CLI). */
export const createCallerFactory = t.createCallerFactory;

// Services throw ServiceError (and netcfg NetcfgError for bad CIDRs, overlaps, exhausted
// pools); the caller sees the same message under a fitting tRPC code.
const NETCFG_CODES: Partial<Record<TNetcfgErrorCode, TRPCError["code"]>> = {
  INVALID_ADDRESS: "BAD_REQUEST",
  INVALID_CIDR: "BAD_REQUEST",
  INVALID_POOL: "BAD_REQUEST",
  INVALID_PREFIX: "BAD_REQUEST",
  OVERLAP: "CONFLICT",
  DUPLICATE: "CONFLICT",
  POOL_EXHAUSTED: "PRECONDITION_FAILED",
};
const mapServiceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof ServiceError) {
      throw new TRPCError({ code: cause.code, message: cause.message, cause });
    }
    if (isNetcfgError(cause)) {
      const code = NETCFG_CODES[cause.code] ?? "BAD_REQUEST";
      throw new TRPCError({ code, message: cause.message, cause });
    }
  }
  return result;
});

// Postgres cannot store a NUL byte or a lone surrogate; the schemas refuse them field by field
// (zText), and this backstop refuses them anywhere in any input, so a field that a schema
// forgot still answers 400, not a database error.
// Runs on every call (agent reports included): no flattened copy of each object.
function findUnstorableText(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return !isStorableText(value);
  if (depth > 32 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((child) => findUnstorableText(child, depth + 1));
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!isStorableText(key) || findUnstorableText(record[key], depth + 1)) return true;
  }
  return false;
}
const rejectUnstorableText = t.middleware(async ({ getRawInput, next }) => {
  if (findUnstorableText(await getRawInput())) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: "input contains a NUL byte or an unpaired surrogate",
    });
  }
  return next();
});

const checkOrigin = t.middleware(({ ctx, type, next }) => {
  if (type === "mutation" && !isSameOriginRequest(ctx.headers, ctx.publicUrl)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "cross-origin request refused" });
  }
  return next();
});

/** Anyone may call it. */
export const publicProcedure = t.procedure
  .use(mapServiceErrors)
  .use(checkOrigin)
  .use(rejectUnstorableText);

/** The dashboard session the request's cookie names, or null (none, expired or revoked). */
export async function readRequestSession(ctx: Pick<TContext, "db" | "headers">) {
  const token = readCookie(ctx.headers, SESSION_COOKIE);
  return token ? resolveSession({ db: ctx.db, token }) : null;
}

/** A signed-in dashboard user; `ctx.session` and `ctx.actor` are set. */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const session = await readRequestSession(ctx);
  if (!session) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  const actor: TActor = { id: session.userId, email: session.email, ip: ctx.ip };
  return next({ ctx: { session, actor } });
});

/** A signed-in admin: every change to the mesh, tokens, keys and settings. */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.session.role !== "admin") {
    throw new TRPCError({ code: "FORBIDDEN", message: "viewers have read-only access" });
  }
  return next();
});

/** An agent, authenticated by its node credential; `ctx.agent` names the node. */
export const agentProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const header = ctx.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const agent = match ? await authenticateNode({ db: ctx.db, credential: match[1]! }) : null;
  if (!agent) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "missing, unknown or revoked node credential",
    });
  }
  return next({ ctx: { agent } });
});
