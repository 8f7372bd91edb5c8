// A handful of 16 px stroke icons for the sidebar (inline SVG: no icon package for five).
import type { ReactNode } from "react";

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg
      aria-hidden
      width="16"
      height="16"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {children}
    </svg>
  );
}

/** Icons by nav item. */
export const NAV_ICONS = {
  events: (
    <Icon>
      <path d="M3 12h4l3-8 4 16 3-8h4" />
    </Icon>
  ),
  routes: (
    <Icon>
      <path d="M4 6h10a4 4 0 0 1 0 8H8a4 4 0 0 0 0 8h12" />
      <circle cx="4" cy="6" r="1.5" />
      <circle cx="20" cy="22" r="1.5" />
    </Icon>
  ),
  topology: (
    <Icon>
      <circle cx="5" cy="6" r="2" />
      <circle cx="19" cy="6" r="2" />
      <circle cx="12" cy="19" r="2" />
      <path d="M7 6h10M6 8l5 9M18 8l-5 9" />
    </Icon>
  ),
  nodes: (
    <Icon>
      <rect x="3" y="4" width="18" height="7" rx="1.5" />
      <rect x="3" y="13" width="18" height="7" rx="1.5" />
      <path d="M7 7.5h.01M7 16.5h.01" />
    </Icon>
  ),
  add: (
    <Icon>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 8v8M8 12h8" />
    </Icon>
  ),
  tokens: (
    <Icon>
      <circle cx="8" cy="15" r="4" />
      <path d="M11 12l9-9M17 6l3 3" />
    </Icon>
  ),
  audit: (
    <Icon>
      <path d="M8 4h10a2 2 0 0 1 2 2v14l-3-2-3 2-3-2-3 2V6a2 2 0 0 0-2-2H4" />
      <path d="M10 9h6M10 13h6" />
    </Icon>
  ),
  settings: (
    <Icon>
      <circle cx="12" cy="12" r="3" />
      <path d="M12 2v3M12 19v3M4.2 4.2l2.1 2.1M17.7 17.7l2.1 2.1M2 12h3M19 12h3M4.2 19.8l2.1-2.1M17.7 6.3l2.1-2.1" />
    </Icon>
  ),
} as const;

/** The meshover mark: three linked nodes. */
export function LogoMark() {
  return (
    <svg aria-hidden width="22" height="22" viewBox="0 0 24 24">
      <rect width="24" height="24" rx="6" fill="#0f172a" />
      <path d="M7 8l10 0M7 8l5 9M17 8l-5 9" stroke="#34d399" strokeWidth="1.8" />
      <circle cx="7" cy="8" r="2.2" fill="#fff" />
      <circle cx="17" cy="8" r="2.2" fill="#fff" />
      <circle cx="12" cy="17" r="2.2" fill="#fff" />
    </svg>
  );
}
