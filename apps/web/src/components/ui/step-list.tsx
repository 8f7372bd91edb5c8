import { cx } from "./class-names";

/** A step's state in a progress list. */
export type TStepStatus =
  "pending" | "running" | "done" | "failed" | "skipped" | "pass" | "fail" | "warn";

const MARKS: Record<TStepStatus, { mark: string; className: string; label: string }> = {
  pending: { mark: "○", className: "text-slate-300", label: "pending" },
  running: { mark: "◌", className: "animate-pulse text-blue-500", label: "running" },
  done: { mark: "✓", className: "text-emerald-600", label: "done" },
  pass: { mark: "✓", className: "text-emerald-600", label: "pass" },
  failed: { mark: "✕", className: "text-red-600", label: "failed" },
  fail: { mark: "✕", className: "text-red-600", label: "fail" },
  warn: { mark: "!", className: "text-amber-600", label: "warning" },
  skipped: { mark: "–", className: "text-slate-300", label: "skipped" },
};

/** A vertical list of steps or checks with a status mark, detail and hint each. */
export function StepList({
  items,
  label,
}: {
  label: string;
  items: {
    id: string;
    label: string;
    status: TStepStatus;
    detail?: string | null;
    hint?: string | null;
  }[];
}) {
  return (
    <ul
      aria-label={label}
      className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white"
    >
      {items.map((item) => {
        const mark = MARKS[item.status];
        return (
          <li key={item.id} data-status={item.status} className="flex gap-3 px-3 py-2 text-sm">
            <span
              aria-label={mark.label}
              className={cx("w-4 shrink-0 text-center font-bold", mark.className)}
            >
              {mark.mark}
            </span>
            <div className="min-w-0">
              <p
                className={cx(
                  "font-medium",
                  item.status === "pending" || item.status === "skipped"
                    ? "text-slate-400"
                    : "text-slate-800",
                )}
              >
                {item.label}
              </p>
              {item.detail && <p className="text-xs break-words text-slate-500">{item.detail}</p>}
              {item.hint && item.status !== "pass" && item.status !== "done" && (
                <p className="text-xs text-amber-800">→ {item.hint}</p>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
