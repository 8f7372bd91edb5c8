"use client";

import { useState } from "react";
import { useCurrentUser } from "~/components/shell/app-shell";
import { cx } from "~/components/ui/class-names";
import { PageHeader } from "~/components/ui/page-header";
import { EmptyState } from "~/components/ui/states";
import { AddWithSsh } from "./add-with-ssh";
import { AddWithToken, type TJoinPins } from "./add-with-token";

const TABS = [
  { id: "token", label: "Join command" },
  { id: "ssh", label: "Over SSH" },
] as const;

/** The two ways to add a server, as tabs; `pins` of a self-signed controller certificate. */
export function AddServer({ pins }: { pins: TJoinPins | null }) {
  const { canEdit } = useCurrentUser();
  const [tab, setTab] = useState<(typeof TABS)[number]["id"]>("token");
  return (
    <div className="mx-auto max-w-3xl px-4 md:px-8 py-6">
      <PageHeader
        title="Add server"
        description="Bring a Linux server into the mesh: paste a join command on it, or let the controller install the agent over SSH."
      />
      {!canEdit ? (
        <EmptyState title="Read-only access" description="Only admins can add servers." />
      ) : (
        <>
          <div
            role="tablist"
            aria-label="How to add"
            className="mb-5 flex gap-1 border-b border-slate-200"
          >
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                onClick={() => setTab(t.id)}
                className={cx(
                  "-mb-px border-b-2 px-3 py-2 text-sm font-medium",
                  tab === t.id
                    ? "border-slate-900 text-slate-900"
                    : "border-transparent text-slate-500 hover:text-slate-800",
                )}
              >
                {t.label}
              </button>
            ))}
          </div>
          {tab === "token" ? <AddWithToken pins={pins} /> : <AddWithSsh />}
        </>
      )}
    </div>
  );
}
