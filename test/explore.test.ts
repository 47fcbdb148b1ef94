// Exhaustive exploration of the tiny world: the outbox survives every schedule within the bounds,
// and the search says "complete" only when nothing was cut; legacy and the planted bugs are found,
// each with a seed and decision list that replays the violation.
//
// Budgets are overridden here (not in scenarios/): the honest complete search of tiny at the
// default budget (2 network faults, 1 crash) is ~5,800 runs, about a minute on 2 cores, too long
// for CI. With 1 network fault and 1 crash it is ~700 runs, and each planted bug is found with the
// smallest budget that can show it.
import { describe, expect, it } from "vitest";
import { loadScenario } from "../sim/world/scenario.js";
import { explore, replayChoices, type ExploreBounds } from "../sim/search/explore.js";
import type { PlantName } from "../sim/plants/index.js";

const tiny = loadScenario("tiny");
const CI_BOUNDS: Partial<ExploreBounds> = { netFaults: 1, crashes: 1 };

describe("explore tiny", () => {
  it("outbox: every schedule within the bounds keeps every invariant, and the search completes", async () => {
    const r = await explore(tiny, "outbox", { bounds: CI_BOUNDS });
    expect(r.depthCut).toBe(0);
    expect(r.timeLimited).toBe(false);
    expect(r.complete).toBe(true);
    expect(r.violatingRuns).toBe(0);
    expect(r.verdicts).toEqual([""]); // every run that reached its end was clean
    expect(r.states).toBeGreaterThan(300);
    expect(r.pruned).toBeGreaterThan(0); // state hashing does prune revisits
  }, 60_000);

  it("a search cut at the depth bound, or stopped by the time limit, is not complete", async () => {
    const cut = await explore(tiny, "outbox", { bounds: { netFaults: 0, crashes: 1, maxDepth: 8 } });
    expect(cut.depthCut).toBeGreaterThan(0);
    expect(cut.complete).toBe(false);
    const timed = await explore(tiny, "outbox", { bounds: { ...CI_BOUNDS, timeLimitMs: 1 } });
    expect(timed.timeLimited).toBe(true);
    expect(timed.complete).toBe(false);
  }, 60_000);

  it("legacy: the search finds the lost write in every seed's world, and each decision list replays it", async () => {
    const r = await explore(tiny, "legacy", { seeds: 3 });
    expect(r.complete).toBe(true);
    expect(new Set(r.violations.map((v) => v.seed))).toEqual(new Set([0, 1, 2]));
    for (const v of r.violations) {
      const again = await replayChoices(tiny, "legacy", v.choices, { seed: v.seed });
      expect(again.violations.map((x) => x.invariant)).toEqual(expect.arrayContaining(v.invariants));
    }
  }, 60_000);

  it.each([
    ["no-dedupe", "S1", { netFaults: 1, crashes: 0 }],
    ["split-ack", "S5", { netFaults: 0, crashes: 1 }],
  ] as const)("finds the planted %s bug (%s), and its decision list replays it", async (plant: PlantName, invariant, bounds) => {
    const r = await explore(tiny, "outbox", { bounds, plant });
    expect(r.complete).toBe(true);
    const v = r.violations.find((x) => x.invariants.includes(invariant));
    expect(v).toBeDefined();
    const again = await replayChoices(tiny, "outbox", v!.choices, { seed: v!.seed, bounds, plant });
    expect(again.violations.map((x) => x.invariant)).toContain(invariant);
  }, 60_000);

  it("delays are choices when exploring: a latency range doubles the alternatives at each send", async () => {
    const one = { ...tiny, workload: { ...tiny.workload, ops: 1 } };
    const ranged = { ...one, faults: { ...one.faults, latency: { min: 1, max: 3 } } };
    const bounds = { netFaults: 0, crashes: 0 };
    const fixed = await explore(one, "outbox", { bounds });
    const both = await explore(ranged, "outbox", { bounds });
    expect(fixed.runs).toBe(1); // nothing to decide: one schedule
    expect(both.runs).toBeGreaterThan(1);
    expect(both.complete).toBe(true);
  }, 60_000);
});
