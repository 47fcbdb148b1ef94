// Every invariant can fail: each planted bug (sim/plants) is caught by its invariant in its own
// scenario within 200 seeds, and the failing run is a failure of that scenario (an invariant the
// scenario does not declare). The first failing seed is printed for the closing note.
import { describe, expect, it } from "vitest";
import { loadScenario } from "../sim/world/scenario.js";
import { runWorld } from "../sim/world/world.js";
import { PLANTS, PLANT_NAMES } from "../sim/plants/index.js";
import { INVARIANT_IDS } from "../sim/check/violations.js";

const MAX_SEEDS = 200;

describe.each(PLANT_NAMES)("plant %s", (name) => {
  const plant = PLANTS[name];
  it(`is caught by ${plant.invariant} in ${plant.scenario} within ${MAX_SEEDS} seeds`, async () => {
    const scenario = loadScenario(plant.scenario);
    let caught: { seed: number; message: string } | undefined;
    for (let seed = 1; seed <= MAX_SEEDS && !caught; seed++) {
      const r = await runWorld(scenario, seed, { plant: name, swarm: "swarm" in plant && plant.swarm });
      const v = r.violations.find((x) => x.invariant === plant.invariant);
      if (v && r.unexpected.includes(plant.invariant)) caught = { seed, message: v.message };
    }
    console.log(`plant ${name}: ${caught ? `first caught at seed ${caught.seed} by ${plant.invariant}: ${caught.message}` : "not caught"}`);
    expect(caught).toBeDefined();
  }, 120_000);
});

it("every invariant is shown to fail on some plant or declared scenario", () => {
  const shown = new Set<string>(Object.values(PLANTS).map((p) => p.invariant));
  shown.add("D1"); // ack-before-fsync declares it; test/scenarios.test.ts shows it
  expect([...shown].sort()).toEqual([...INVARIANT_IDS].sort());
});
