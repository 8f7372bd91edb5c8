// The ownership record kept in step with what the agent applies: creating a link or putting an
// address on a device meshover does not own records it, deleting removes it.
import type { TOwnedState } from "./host-state";
import type { TOperation } from "./operations";

/** The ownership record after `operation` (creating a link or host address records it). */
export function updateOwnedState(owned: TOwnedState, operation: TOperation): TOwnedState {
  switch (operation.op) {
    case "link-create":
      return owned.links.includes(operation.device)
        ? owned
        : { ...owned, links: [...owned.links, operation.device].sort() };
    case "link-delete":
      return { ...owned, links: owned.links.filter((name) => name !== operation.device) };
    case "address-add":
      if (owned.links.includes(operation.device)) return owned;
      if (owned.addresses.some((a) => a.device === operation.device && a.cidr === operation.cidr)) {
        return owned;
      }
      return {
        ...owned,
        addresses: [...owned.addresses, { device: operation.device, cidr: operation.cidr }],
      };
    case "address-delete":
      return {
        ...owned,
        addresses: owned.addresses.filter(
          (a) => !(a.device === operation.device && a.cidr === operation.cidr),
        ),
      };
    default:
      return owned;
  }
}
