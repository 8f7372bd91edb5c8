// The topology view model the graph draws: the API's own types (tRPC's inferred outputs), with
// edges renamed for what the graph asks (forward/reverse of a link).
import type { RouterOutputs } from "@meshover/api";
import type { TLinkDirection } from "~/lib/describe-link";

/** A mesh node as the graph shows it. */
export type TTopologyNode = Pick<
  RouterOutputs["topology"]["get"]["nodes"][number],
  "id" | "name" | "index" | "ipv4" | "ipv6" | "isOnline" | "lastSeenAt"
>;

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
