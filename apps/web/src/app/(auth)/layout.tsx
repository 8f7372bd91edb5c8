import type { ReactNode } from "react";
import { LogoMark } from "~/components/shell/nav-icons";

/** Centered card for the signed-out pages. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="mb-6 flex items-center gap-2">
        <LogoMark />
        <span className="text-lg font-semibold tracking-tight">meshover</span>
      </div>
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {children}
      </div>
    </main>
  );
}
