// Attenuation in the simulated world: a hostile viewer's appends through its read-only stub all fail
// at the RPC layer and nothing it sends is applied; a viewer handed the full capability is caught (S4).
import { describe, expect, it } from "vitest";
import { loadScenario } from "../sim/scenario.js";
import { runWorld } from "../sim/world/world.js";

describe("read-only viewer", () => {
  const scenario = loadScenario("read-only-viewer");

  it("every append through the read-only stub is refused, and the share converges", async () => {
    let refused = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = await runWorld(scenario, seed);
      expect(r.violations).toEqual([]);
      expect(r.coverage.events["intruder.viewer-append-answered"] ?? 0).toBe(0);
      refused += r.coverage.events["intruder.viewer-append-refused"] ?? 0;
    }
    expect(refused).toBeGreaterThan(50);
  });

  it("a viewer given the full capability instead is caught by S4", async () => {
    const r = await runWorld(scenario, 1, { plant: "leaky-read-only" });
    expect(r.violations.map((v) => v.invariant)).toContain("S4");
  });
});
