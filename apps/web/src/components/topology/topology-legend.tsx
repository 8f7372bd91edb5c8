import { REACH_STYLES } from "~/lib/describe-reach";
import { LINK_COLOURS } from "./topology-graph";

/** The key to edge colours, node marks and the warning labels, shown above the graph. */
export function TopologyLegend() {
  const items: [string, string, string | undefined][] = [
    ["Established", LINK_COLOURS.established, undefined],
    ["Connecting", LINK_COLOURS.connecting, "4 3"],
    ["Down", LINK_COLOURS.down, undefined],
    ["Stale (stream lost)", "#94a3b8", "4 3"],
    // How a pair reaches each other (issue #17): the pattern of the line.
    ...(["direct-ipv6", "direct-ipv4", "via", "unreachable"] as const).map(
      (kind): [string, string, string | undefined] => [
        REACH_STYLES[kind].label,
        REACH_STYLES[kind].colour ?? "#64748b",
        REACH_STYLES[kind].dash,
      ],
    ),
  ];
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 px-1 text-xs text-slate-600">
      {items.map(([label, colour, dash]) => (
        <span key={label} className="flex items-center gap-1.5">
          <svg width="18" height="6" aria-hidden>
            <line
              x1="0"
              y1="3"
              x2="18"
              y2="3"
              stroke={colour}
              strokeWidth="2"
              strokeDasharray={dash}
            />
          </svg>
          {label}
        </span>
      ))}
      <span className="flex items-center gap-1">
        <span className="rounded border border-amber-400 bg-amber-50 px-1 text-[10px] text-amber-900">
          ⚠
        </span>
        the label names it: BFD down, handshake N min old, MTU low, node silent
      </span>
      <span className="flex items-center gap-1">
        <span className="inline-block h-3 w-5 rounded-sm border border-dashed border-red-400" />
        node offline (no report for 3 intervals)
      </span>
    </div>
  );
}
