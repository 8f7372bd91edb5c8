// The one error type services throw. Procedures stay thin: a middleware in trpc.ts turns it
// into a TRPCError with the same code and message, so the caller sees a clear reason.

/** Why a service refused: maps 1:1 onto tRPC error codes. */
export type TServiceErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "PAYLOAD_TOO_LARGE"
  | "TOO_MANY_REQUESTS";

/** A refusal a service explains to the caller (the message is shown as is). */
export class ServiceError extends Error {
  override readonly name = "ServiceError";
  constructor(
    readonly code: TServiceErrorCode,
    message: string,
    /** The input field it is about (`["allowedRanges", 2, "prefix"]`), for inline errors. */
    readonly path: (string | number)[] | null = null,
  ) {
    super(message);
  }
}

/** Whether `error` is Prisma's unique-constraint violation (P2002), e.g. a lost allocation race. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}
