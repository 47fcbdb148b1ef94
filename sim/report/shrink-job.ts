// One shrink job of the report: a failing (scenario, design, seed) reduced to a minimal
// counterexample, returned as plain data (Mermaid text, replay command) that crosses threads.
import { shrink } from "../search/shrink.js";
import { replayCommandLine } from "../search/replay-command.js";
import { markedMermaid } from "./mark.js";
import type { Violation } from "../check/violations.js";
import type { Design, Scenario } from "../world/scenario.js";
import type { Seed } from "../world/rng.js";

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
  /** In the order found; the first is the one the shrinker kept failing, and the diagram marks. */
  violations: Violation[];
  traceHash: string;
  attempts: number;
  /** The sequence diagram, with the first violation's step highlighted. */
  mermaid: string;
  lines: number;
  replay: string;
}

/** The shrunk counterexample, or null when the seed does not fail. */
export async function runShrinkJob(job: ShrinkJob): Promise<ShrunkCounterexample | null> {
  const cx = await shrink(job.scenario, job.seed, { design: job.design }, MAX_ATTEMPTS);
  if (!cx) return null;
  const { diagram, lines } = markedMermaid(cx.result.trace?.events ?? [], cx.result.violations[0], cx.result.steps);
  const actions = cx.actions ?? [];
  return {
    seed: job.seed,
    ops: cx.ops,
    actions,
    faults: cx.faults,
    violations: cx.result.violations.map((v) => ({ invariant: v.invariant, kind: v.kind, step: v.step, message: v.message })),
    traceHash: cx.result.traceHash,
    attempts: cx.attempts,
    mermaid: diagram,
    lines,
    replay: replayCommandLine(job.scenarioArg, job.design, job.seed, { ops: cx.ops, actions, faults: cx.faults }),
  };
}
