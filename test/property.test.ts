// The property: for any seed and any fault mix, the outbox design keeps every invariant. And the
// property can fail: the same property over a planted bug (server dedupe disabled) finds it.
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { loadScenario, type Scenario } from "../sim/scenario.js";
import { FaultMix } from "../sim/faults.js";
import { runWorld, type WorldOptions } from "../sim/world.js";

/** How many (seed, fault mix) pairs CI tries; raise it locally with PROPERTY_RUNS. */
export const PROPERTY_RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

const probability = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.35, noNaN: true }));

const faultMix = fc.record({
  drop: probability,
  dropResponse: probability,
  duplicate: probability,
  reorder: probability,
  delay: fc.record({ p: probability, max: fc.integer({ min: 0, max: 600 }) }),
  sever: probability,
  transport: fc.constantFrom("batch" as const, "socket" as const),
  ops: fc.integer({ min: 5, max: 40 }),
});

type Mix = typeof faultMix extends fc.Arbitrary<infer T> ? T : never;
type Case = { seed: number; mix: Mix };

function scenarioFor(mix: Case["mix"]): Scenario {
  const base = loadScenario("lossy");
  const { transport, ops, ...faults } = mix;
  return { ...base, transport, workload: { ...base.workload, ops }, faults: FaultMix.parse({ ...faults }) };
}

async function violationsOf(c: Case, options: WorldOptions = {}) {
  const r = await runWorld(scenarioFor(c.mix), c.seed, options);
  return { r, replay: `npx sturdy run --scenario lossy --seed ${c.seed} (mix ${JSON.stringify(c.mix)})` };
}

const cases = fc.record({ seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }), mix: faultMix });

describe("outbox invariants under random faults", () => {
  test.prop([cases], { numRuns: PROPERTY_RUNS })("no invariant is ever violated", async (c) => {
    const { r, replay } = await violationsOf(c);
    expect(r.violations, replay).toEqual([]);
    expect(r.converged).toBe(true);
  });

  test.prop([cases.filter((c) => c.mix.duplicate > 0.1 || c.mix.dropResponse > 0.1)], { numRuns: 20 })(
    "the generator reaches the interesting case: retries that the server must dedupe",
    async (c) => {
      const { r } = await violationsOf(c);
      expect(r.violations).toEqual([]);
    },
  );
});

describe("the property can fail", () => {
  test("with server dedupe disabled, fast-check finds a double-apply", async () => {
    const outcome = await fc.check(
      fc.asyncProperty(cases, async (c) => (await violationsOf(c, { broken: { noDedupe: true } })).r.violations.length === 0),
      { numRuns: 300, seed: 42 },
    );
    expect(outcome.failed).toBe(true);
    const [c] = outcome.counterexample as [Case];
    const { r } = await violationsOf(c, { broken: { noDedupe: true } });
    expect(r.violations.map((v) => v.invariant)).toContain("S1");
  }, 120_000);

  test("the legacy baseline loses or duplicates writes under the lossy scenario", async () => {
    const scenario = loadScenario("lossy");
    const found = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      for (const v of (await runWorld(scenario, seed, { design: "legacy" })).violations) found.add(v.invariant);
    }
    expect(found).toContain("C1");
    expect(found).toContain("S1");
  }, 60_000);
});
