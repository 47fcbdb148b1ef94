// The seed corpus (test/corpus): shrunk counterexamples kept with the decisions that replay them
// and what the replay must show. \`npm test\` replays each; scripts/regenerate-corpus.ts rebuilds them.
import type { RunResult } from "../world/world.js";
import type { Design } from "../world/scenario.js";
import type { Seed } from "../world/rng.js";

export interface CorpusChoices { ops?: number; actions?: number[]; faults?: string[]; swarm?: boolean; plant?: string; legacyServer?: string }

/** A seed-corpus file (test/corpus): the decisions that replay a run, and what the replay must show. */
export function corpusEntry(scenario: string, design: Design, seed: Seed, c: CorpusChoices, result: RunResult): string {
  return JSON.stringify({
    // A legacy entry names its server: the scenario's default may change, the entry must not.
    scenario, design, ...(design === "legacy" && c.legacyServer ? { legacyServer: c.legacyServer } : {}), seed, swarm: c.swarm ?? false, plant: c.plant ?? null, ops: c.ops ?? null, actions: c.actions ?? null, faults: c.faults ?? null,
    expect: { traceHash: result.traceHash, invariants: [...new Set(result.violations.map((v) => v.invariant))].sort() },
  }, null, 2) + "\n";
}
