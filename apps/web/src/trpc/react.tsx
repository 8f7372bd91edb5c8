"use client";
// The browser's tRPC client: react-query cache + tRPC options proxy for the whole dashboard.
// Any UNAUTHORIZED answer (expired or revoked session) sends the user to /login and back here
// afterwards, instead of leaving a page of errors.

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  TRPCClientError,
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
} from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@meshover/api";
import { TRPC_PATH } from "@meshover/netcfg/trpc-path";
import { type ReactNode, useState } from "react";
import superjson from "superjson";

/** The tRPC context: `useTRPC()` gives typed `queryOptions`/`mutationOptions` factories. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** True for errors that mean "your session is gone". */
export function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof TRPCClientError &&
    (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED"
  );
}

function redirectToLogin() {
  const { pathname, search } = window.location;
  if (pathname === "/login" || pathname === "/setup") return;
  const next = encodeURIComponent(pathname + search);
  window.location.assign(`/login?expired=1&next=${next}`);
}

function makeQueryClient() {
  const onError = (error: unknown) => {
    if (isUnauthorized(error)) redirectToLogin();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 2_000,
        // A 401 will not fix itself by retrying.
        retry: (count, error) => !isUnauthorized(error) && count < 2,
      },
    },
  });
}

/** Wraps the app in react-query + tRPC providers (one client per browser tab). */
export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // Live views (topology.watch, node.watch) are SSE streams; everything else is batched.
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: TRPC_PATH, transformer: superjson }),
          false: httpBatchLink({ url: TRPC_PATH, transformer: superjson }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
