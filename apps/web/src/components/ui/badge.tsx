import type { ReactNode } from "react";
import { cx } from "./class-names";

const TONES = {
  green: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
  red: "bg-red-50 text-red-700 ring-red-600/20",
  blue: "bg-blue-50 text-blue-700 ring-blue-600/20",
  slate: "bg-slate-100 text-slate-600 ring-slate-500/20",
} as const;

/** A badge's colour: green good, amber attention, red bad, slate neutral. */
export type TBadgeTone = keyof typeof TONES;

/** A small status pill, optionally with a leading dot. */
export function Badge({
  tone = "slate",
  hasDot = false,
  children,
  className,
}: {
  tone?: TBadgeTone;
  hasDot?: boolean;
  children: ReactNode;
  className?: string;
}) {
  return (
    <span
      className={cx(
        "inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset",
        TONES[tone],
        className,
      )}
    >
      {hasDot && <span aria-hidden className="size-1.5 rounded-full bg-current" />}
      {children}
    </span>
  );
}
