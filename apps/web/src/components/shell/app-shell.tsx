"use client";
// The console frame: sidebar navigation, the signed-in user with sign-out, and the page. Below
// the md breakpoint (phones) the sidebar is a drawer behind a menu button in a top bar.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { RouterOutputs } from "@meshover/api";
import { type ReactNode, createContext, use, useEffect, useState } from "react";
import { cx } from "~/components/ui/class-names";
import { useTRPC } from "~/trpc/react";
import { LogoMark, NAV_ICONS } from "./nav-icons";

const UserContext = createContext<TShellUser | null>(null);

/** The signed-in user; `canEdit` is false for viewers (they see no mutating controls). */
export function useCurrentUser(): TShellUser & { canEdit: boolean } {
  const user = use(UserContext);
  if (!user) throw new Error("useCurrentUser outside AppShell");
  return { ...user, canEdit: user.role === "admin" };
}

const NAV = [
  { href: "/", label: "Topology", icon: NAV_ICONS.topology },
  { href: "/nodes", label: "Nodes", icon: NAV_ICONS.nodes },
  { href: "/routes", label: "Routes", icon: NAV_ICONS.routes },
  { href: "/events", label: "Events", icon: NAV_ICONS.events },
  { href: "/add", label: "Add server", icon: NAV_ICONS.add },
  { href: "/tokens", label: "Tokens", icon: NAV_ICONS.tokens },
  { href: "/audit", label: "Audit log", icon: NAV_ICONS.audit },
  { href: "/settings", label: "Settings", icon: NAV_ICONS.settings },
] as const;

function isActive(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** The signed-in user as the shell shows it (`auth.me` of a signed-in session). */
export type TShellUser = NonNullable<RouterOutputs["auth"]["me"]>;

function UserMenu({ user }: { user: TShellUser }) {
  const trpc = useTRPC();
  // Re-check the session now and then: an expired one sends the user to sign in again.
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { refetchInterval: 30_000 }));
  useEffect(() => {
    if (me.data === null) {
      const next = encodeURIComponent(window.location.pathname + window.location.search);
      window.location.assign(`/login?expired=1&next=${next}`);
    }
  }, [me.data]);
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: () => window.location.assign("/login"),
    }),
  );
  return (
    <div className="border-t border-slate-200 p-3">
      <div className="flex items-center gap-2">
        <span className="flex size-7 shrink-0 items-center justify-center rounded-full bg-slate-200 text-xs font-semibold text-slate-700 uppercase">
          {user.email.slice(0, 1)}
        </span>
        <div className="min-w-0 flex-1">
          <p className="truncate text-xs font-medium text-slate-800" data-testid="user-email">
            {user.email}
          </p>
          <p className="text-[11px] text-slate-500">{user.role}</p>
        </div>
      </div>
      <button
        type="button"
        onClick={() => logout.mutate()}
        disabled={logout.isPending}
        className="mt-2 w-full rounded-md border border-slate-200 px-2 py-1 text-xs text-slate-600 hover:bg-slate-100"
      >
        Sign out
      </button>
    </div>
  );
}

/** Sidebar + content area for every signed-in page. */
export function AppShell({ user, children }: { user: TShellUser; children: ReactNode }) {
  const pathname = usePathname();
  const [isNavOpen, setIsNavOpen] = useState(false);
  const close = () => setIsNavOpen(false);
  return (
    <div className="flex h-screen flex-col overflow-hidden md:flex-row">
      <header className="flex items-center justify-between border-b border-slate-200 bg-white px-3 py-2 md:hidden">
        <Link href="/" className="flex items-center gap-2" onClick={close}>
          <LogoMark />
          <span className="text-[15px] font-semibold tracking-tight">meshover</span>
        </Link>
        <button
          type="button"
          aria-label={isNavOpen ? "Close menu" : "Open menu"}
          aria-expanded={isNavOpen}
          aria-controls="main-navigation"
          onClick={() => setIsNavOpen((open) => !open)}
          className="rounded-md border border-slate-200 px-2.5 py-1 text-sm text-slate-700 hover:bg-slate-100"
        >
          {isNavOpen ? "✕" : "☰"}
        </button>
      </header>
      {isNavOpen && (
        <div aria-hidden className="fixed inset-0 z-30 bg-slate-900/40 md:hidden" onClick={close} />
      )}
      <aside
        id="main-navigation"
        className={cx(
          "z-40 w-60 shrink-0 flex-col border-r border-slate-200 bg-white md:static md:flex md:w-52",
          isNavOpen ? "fixed inset-y-0 left-0 flex" : "hidden",
        )}
      >
        <Link href="/" className="hidden items-center gap-2 px-4 py-4 md:flex">
          <LogoMark />
          <span className="text-[15px] font-semibold tracking-tight">meshover</span>
        </Link>
        <nav aria-label="Main" className="flex-1 space-y-0.5 px-2 pt-3 md:pt-0">
          {NAV.filter((item) => item.href !== "/add" || user.role === "admin").map((item) => (
            <Link
              key={item.href}
              href={item.href}
              onClick={close}
              aria-current={isActive(pathname, item.href) ? "page" : undefined}
              className={cx(
                "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm",
                isActive(pathname, item.href)
                  ? "bg-slate-100 font-medium text-slate-900"
                  : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
              )}
            >
              {item.icon}
              {item.label}
            </Link>
          ))}
        </nav>
        <UserMenu user={user} />
      </aside>
      <UserContext value={user}>
        <main className="min-h-0 min-w-0 flex-1 overflow-y-auto">{children}</main>
      </UserContext>
    </div>
  );
}
