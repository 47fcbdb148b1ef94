// Determinism is the product: same seed ⇒ same trace hash, in one process and across processes.
import { describe, expect, it } from "vitest";
import { loadScenario } from "../sim/world/scenario.js";
import { runWorld } from "../sim/world/world.js";
import { sturdy } from "./cli-helpers.js";

describe("determinism", () => {
  it("the same seed gives the same trace hash and the same outcome, twice in one process", async () => {
    const scenario = loadScenario("lossy");
    for (const seed of [7, 8, "alpha"]) {
      const a = await runWorld(scenario, seed);
      const b = await runWorld(scenario, seed);
      expect(b.traceHash).toBe(a.traceHash);
      expect(b.steps).toBe(a.steps);
      expect(b.faults).toEqual(a.faults);
    }
  });

  it("different seeds explore different schedules", async () => {
    const scenario = loadScenario("lossy");
    const hashes = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) hashes.add((await runWorld(scenario, seed)).traceHash);
    expect(hashes.size).toBe(10);
  });

  it("two child processes print the same traceHash for the same seed", () => {
    const a = sturdy(["run", "--scenario", "lossy", "--seed", "7", "--json"]);
    const b = sturdy(["run", "--scenario", "lossy", "--seed", "7", "--json"]);
    expect(a.code).toBe(0);
    expect(a.json.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(b.json.traceHash).toBe(a.json.traceHash);
    // The lossy scenario really injects faults at this seed.
    expect(a.json.faults.dropped).toBeGreaterThan(0);
    expect(a.json.faults.duplicated).toBeGreaterThan(0);
    expect(a.json.converged).toBe(true);
  }, 60_000);
});
