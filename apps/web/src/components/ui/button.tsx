import type { ButtonHTMLAttributes } from "react";
import { cx } from "./class-names";

const VARIANTS = {
  primary: "bg-slate-900 text-slate-50 hover:bg-slate-700 disabled:bg-slate-400",
  secondary:
    "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 disabled:text-slate-400",
  danger: "bg-red-600 text-white hover:bg-red-500 disabled:bg-red-300",
  ghost: "text-slate-600 hover:bg-slate-100 hover:text-slate-900 disabled:text-slate-300",
} as const;

/** The visual weight of a button. */
export type TButtonVariant = keyof typeof VARIANTS;

/** A button in one of four weights; `isBusy` disables it and shows a spinner. */
export function Button({
  variant = "secondary",
  size = "md",
  isBusy = false,
  className,
  children,
  disabled,
  type = "button",
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: TButtonVariant;
  size?: "sm" | "md";
  isBusy?: boolean;
}) {
  return (
    <button
      type={type}
      disabled={disabled ?? isBusy}
      className={cx(
        "inline-flex items-center justify-center gap-1.5 rounded-md font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 disabled:cursor-not-allowed",
        size === "sm" ? "h-7 px-2.5 text-xs" : "h-8 px-3 text-sm",
        VARIANTS[variant],
        className,
      )}
      {...props}
    >
      {isBusy && (
        <span
          aria-hidden
          className="size-3 animate-spin rounded-full border-2 border-current border-t-transparent"
        />
      )}
      {children}
    </button>
  );
}
