// The topology view model the graph draws. Pages adapt the API's answer to it, so the graph
// does not change when a router's shape does.
import type { TLinkDirection } from "~/lib/describe-link";

/** A mesh node as the graph shows it. */
export type TTopologyNode = {
  id: string;
  name: string;
  index: number;
  ipv4: string;
  ipv6: string;
  isOnline: boolean;
  lastSeenAt: Date | string | null;
};

/** A tunnel between two nodes with what each end last reported about it. */
export type TTopologyLink = {
  id: string;
  sourceId: string;
  targetId: string;
  /** What the source node reported about its tunnel to the target. */
  forward: TLinkDirection | null;
  /** What the target node reported about its tunnel to the source. */
  reverse: TLinkDirection | null;
};
