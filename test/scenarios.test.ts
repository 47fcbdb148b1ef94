// Every scenario file is valid; healthy scenarios hold every invariant for the outbox over the CI
// seeds (SCENARIO_SEEDS, 25 by default; the closing note reports 200); scenarios that demonstrate
// a weakness must show it.
import { describe, expect, it } from "vitest";
import { listScenarios, loadScenario } from "../sim/scenario.js";
import { runCampaign } from "../sim/campaign.js";

const SEEDS = Number(process.env.SCENARIO_SEEDS ?? 25);

describe.each(listScenarios())("scenario %s", (name) => {
  const scenario = loadScenario(name);
  if (scenario.expectViolations.length === 0) {
    it(`outbox: converged with no violations for ${SEEDS} consecutive seeds`, async () => {
      const s = await runCampaign({ scenario: name, design: "outbox", from: 1, count: SEEDS, swarm: false, workers: 1 });
      expect(s.violationsByInvariant).toEqual({});
      expect(s.converged).toBe(SEEDS);
    }, 120_000);
  } else {
    it(`the harness finds ${scenario.expectViolations.join(", ")}`, async () => {
      const s = await runCampaign({ scenario: name, design: "outbox", from: 1, count: SEEDS, swarm: false, workers: 1 });
      for (const inv of scenario.expectViolations) expect(s.violationsByInvariant[inv] ?? 0).toBeGreaterThan(0);
    }, 120_000);
  }
});
