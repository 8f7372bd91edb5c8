import { describe, expect, it } from "vitest";
import { formatAuditChange } from "./format-audit-change";

describe("formatAuditChange", () => {
  it("renders a from/to change as an arrow, prefix rows by their CIDR", () => {
    expect(
      formatAuditChange({
        from: ["10.0.0.0/24"],
        to: [{ cidr: "10.0.0.0/24", isAnycast: false }, { cidr: "10.1.0.0/24" }],
      }),
    ).toEqual([{ label: "change", value: "10.0.0.0/24 → 10.0.0.0/24, 10.1.0.0/24" }]);
    expect(formatAuditChange({ from: "n1", to: "edge-1" })).toEqual([
      { label: "change", value: "n1 → edge-1" },
    ]);
  });

  it("lists other changes key by key with readable labels and values", () => {
    expect(
      formatAuditChange({ node: "n2", oldPublicKey: null, usesAllowed: 3, isX: true }),
    ).toEqual([
      { label: "node", value: "n2" },
      { label: "old public key", value: "—" },
      { label: "uses allowed", value: "3" },
      { label: "is x", value: "yes" },
    ]);
  });

  it("shows nothing for no change and shortens long values", () => {
    expect(formatAuditChange(null)).toEqual([]);
    const [line] = formatAuditChange({ key: "x".repeat(500) });
    expect(line!.value.length).toBe(120);
    expect(line!.value.endsWith("…")).toBe(true);
  });
});
