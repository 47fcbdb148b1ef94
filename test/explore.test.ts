// Exhaustive exploration of the tiny world: the outbox survives every schedule within the bounds;
// legacy and the planted bugs are found, each with a decision list that replays the violation.
import { describe, expect, it } from "vitest";
import { loadScenario } from "../sim/scenario.js";
import { explore, replayChoices } from "../sim/explore.js";

const tiny = loadScenario("tiny");

describe("explore tiny", () => {
  it("outbox: every schedule within the bounds keeps every invariant, and the search completes", async () => {
    const r = await explore(tiny, "outbox");
    expect(r.complete).toBe(true);
    expect(r.violatingRuns).toBe(0);
    expect(r.states).toBeGreaterThan(300);
    expect(r.pruned).toBeGreaterThan(0); // state hashing does prune revisits
  }, 60_000);

  it("legacy: the search finds the lost write, and its decision list replays it", async () => {
    const r = await explore(tiny, "legacy");
    expect(r.violatingRuns).toBeGreaterThan(0);
    const v = r.violations[0]!;
    const again = await replayChoices(tiny, "legacy", v.choices);
    expect(again.violations.map((x) => x.invariant)).toEqual(expect.arrayContaining(v.invariants));
  }, 60_000);

  it.each([["no-dedupe", "S1"], ["split-ack", "S5"]] as const)("finds the planted %s bug (%s)", async (plant, invariant) => {
    const r = await explore(tiny, "outbox", undefined, plant);
    expect(r.violations.some((v) => v.invariants.includes(invariant))).toBe(true);
  }, 60_000);
});
