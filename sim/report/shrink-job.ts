// One shrink job of the report: a failing (scenario, design, seed) reduced to a minimal
// counterexample, returned as plain data (Mermaid text, replay command) that crosses threads.
import { shrink } from "../shrink.js";
import { traceToMermaid } from "../mermaid.js";
import { replayCommandLine } from "../commands/replay.js";
import type { Design, Scenario } from "../scenario.js";
import type { Seed } from "../rng.js";

/** Enough for the report's scenarios (their shrinks take 5–210 runs); a capped shrink still fails the same way. */
const MAX_ATTEMPTS = 250;

export interface ShrinkJob {
  scenario: Scenario;
  /** What `--scenario` replays this scenario: a name, or a JSON file. */
  scenarioArg: string;
  design: Design;
  seed: Seed;
}

export interface ShrunkCounterexample {
  seed: Seed;
  ops: number;
  actions: number[];
  faults: string[];
  violations: { invariant: string; message: string }[];
  traceHash: string;
  attempts: number;
  mermaid: string;
  lines: number;
  replay: string;
}

/** The shrunk counterexample, or null when the seed does not fail. */
export async function runShrinkJob(job: ShrinkJob): Promise<ShrunkCounterexample | null> {
  const cx = await shrink(job.scenario, job.seed, { design: job.design }, MAX_ATTEMPTS);
  if (!cx) return null;
  const { diagram, lines } = traceToMermaid(cx.result.trace?.events ?? []);
  const actions = cx.actions ?? [];
  return {
    seed: job.seed,
    ops: cx.ops,
    actions,
    faults: cx.faults,
    violations: cx.result.violations.map((v) => ({ invariant: v.invariant, message: v.message })),
    traceHash: cx.result.traceHash,
    attempts: cx.attempts,
    mermaid: diagram,
    lines,
    replay: replayCommandLine(job.scenarioArg, job.design, job.seed, { ops: cx.ops, actions, faults: cx.faults }),
  };
}
