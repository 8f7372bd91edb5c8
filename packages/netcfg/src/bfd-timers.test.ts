import { describe, expect, it } from "vitest";
import {
  BFD_TIMERS,
  BFD_TIMERS_SOFTWARE_EMULATED,
  chooseBfdTimers,
  isSoftwareEmulated,
} from "./bfd-timers";
import { compileMeshParts } from "./compile-node-configs";
import { makeTestMeshNode, TEST_MESH_SETTINGS } from "./test-fixtures";

describe("chooseBfdTimers", () => {
  it("gives a software-emulated machine (qemu without KVM, bochs) the gentle timers", () => {
    expect(chooseBfdTimers("qemu")).toEqual(BFD_TIMERS_SOFTWARE_EMULATED);
    expect(chooseBfdTimers("bochs")).toEqual(BFD_TIMERS_SOFTWARE_EMULATED);
    expect(BFD_TIMERS_SOFTWARE_EMULATED.intervalMs).toBeGreaterThan(BFD_TIMERS.intervalMs);
  });

  it("gives bare metal, hardware virtualization and unknown machines the mesh's timers", () => {
    for (const virtualization of ["none", "kvm", "vmware", "microsoft", "xen", null, undefined]) {
      expect(isSoftwareEmulated(virtualization)).toBe(false);
      expect(chooseBfdTimers(virtualization)).toEqual(BFD_TIMERS);
    }
  });
});

describe("per-node BFD timers in the compiled configs", () => {
  it("only the node with its own timers gets them; the others keep the mesh's", () => {
    const { heads } = compileMeshParts({
      version: 1,
      settings: TEST_MESH_SETTINGS,
      nodes: [makeTestMeshNode(1), makeTestMeshNode(2, { bfd: BFD_TIMERS_SOFTWARE_EMULATED })],
    });
    expect(heads[0]!.settings.bfd).toEqual(TEST_MESH_SETTINGS.bfd);
    expect(heads[1]!.settings.bfd).toEqual(BFD_TIMERS_SOFTWARE_EMULATED);
  });
});
