// The property: for any scenario, any seed and any swarm-sampled fault mix, the outbox design keeps
// every invariant. A failure prints the seed and the exact command that replays it. And the
// property can fail: over a planted bug (server dedupe disabled) the same property finds it.
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { listScenarios, loadScenario } from "../sim/world/scenario.js";
import { runWorld, type WorldOptions } from "../sim/world/world.js";
import { replayCommandLine } from "../sim/search/replay-command.js";

/** How many (scenario, seed, mix) cases CI tries; raise it locally with PROPERTY_RUNS. */
const PROPERTY_RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

const healthy = listScenarios().filter((name) => loadScenario(name).expectViolations.length === 0);

const cases = fc.record({
  scenario: fc.constantFrom(...healthy),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  swarm: fc.boolean(),
});
type Case = { scenario: string; seed: number; swarm: boolean };

async function check(c: Case, options: WorldOptions = {}) {
  const scenario = loadScenario(c.scenario);
  const r = await runWorld(scenario, c.seed, { swarm: c.swarm, design: "outbox", ...options });
  const replay = replayCommandLine(c.scenario, "outbox", c.seed, { swarm: c.swarm });
  return { r, why: `seed ${c.seed}: ${r.violations[0]?.invariant} ${r.violations[0]?.message}\n  replay: ${replay}` };
}

describe("outbox invariants under random scenarios, seeds and fault mixes", () => {
  test.prop([cases], { numRuns: PROPERTY_RUNS })("no invariant is ever violated", async (c) => {
    const { r, why } = await check(c);
    expect(r.violations, why).toEqual([]);
    expect(r.converged, why).toBe(true);
  });

  test.prop([cases.filter((c) => c.swarm)], { numRuns: 30 })(
    "the generator reaches the interesting cases: retries the server must dedupe, crashes",
    async (c) => {
      const { r, why } = await check(c);
      expect(r.violations, why).toEqual([]);
    },
  );
});

describe("the property can fail", () => {
  test("with server dedupe disabled, fast-check finds a double-apply", async () => {
    const outcome = await fc.check(
      fc.asyncProperty(cases, async (c) => !(await check(c, { plant: "no-dedupe" })).r.violations.some((v) => v.invariant === "S1")),
      { numRuns: 300, seed: 42 },
    );
    expect(outcome.failed).toBe(true);
    const [c] = outcome.counterexample as [Case];
    const { r } = await check(c, { plant: "no-dedupe" });
    expect(r.violations.map((v) => v.invariant)).toContain("S1");
  }, 120_000);

  test("the legacy baseline loses and duplicates writes under the lossy scenario within 20 seeds", async () => {
    const scenario = loadScenario("lossy");
    const found = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      for (const v of (await runWorld(scenario, seed, { design: "legacy" })).violations) found.add(v.invariant);
    }
    expect(found).toContain("C1");
    expect(found).toContain("S1");
  }, 60_000);
});

describe("the interesting cases really happen across the property's scenarios", () => {
  test("duplicates are acked as duplicates (server dedupe did work)", async () => {
    let duplicates = 0;
    for (let seed = 1; seed <= 10; seed++) duplicates += (await runWorld(loadScenario("lossy"), seed)).ops.duplicates;
    expect(duplicates).toBeGreaterThan(0);
  });
});
