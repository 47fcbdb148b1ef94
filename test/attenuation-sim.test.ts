// Attenuation in the simulated world: a hostile viewer's appends through its read-only stub all fail
// at the RPC layer and nothing it sends is applied; a viewer handed the full capability is caught (S4).
import { describe, expect, it } from "vitest";
import { loadScenario } from "../sim/world/scenario.js";
import { runWorld } from "../sim/world/world.js";

describe("read-only viewer", () => {
  const scenario = loadScenario("read-only-viewer");

  it("the viewer walks its stub (every method, every capability it returns); nothing writes, and the share converges", async () => {
    let refused = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = await runWorld(scenario, seed);
      expect(r.violations).toEqual([]);
      refused += r.coverage.events["intruder.viewer-call-refused"] ?? 0;
    }
    expect(refused).toBeGreaterThan(500);
  });

  it.each(["leaky-read-only", "read-cap-escalates"] as const)("a stub that reaches a writable capability (%s) is caught by S4", async (plant) => {
    const r = await runWorld(scenario, 1, { plant });
    expect(r.violations.map((v) => v.invariant)).toContain("S4");
  });
});
