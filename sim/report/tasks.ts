// The report's units of work, each runnable in any thread: a slice of a campaign's seeds, or the
// shrinking of one failing seed. Inputs and results are plain data, so they cross threads.
import { resolveScenario, type CampaignSpec } from "../search/campaign.js";
import { addRun, emptySummary, type CampaignSummary } from "../search/campaign-summary.js";
import { describePolicy, parsePolicy } from "../../src/server/dedupe.js";
import { runWorld } from "../world/world.js";
import { runShrinkJob, type ShrinkJob, type ShrunkCounterexample } from "./shrink-job.js";
import type { Seed } from "../world/rng.js";

export type Task =
  | { kind: "seeds"; spec: CampaignSpec; seeds: Seed[] }
  | { kind: "shrink"; job: ShrinkJob };

/** A campaign slice, plus what a campaign summary does not keep: runs outside the scenario's declared violations. */
export interface SliceResult { summary: CampaignSummary; unexpectedRuns: number }

export type TaskResult = SliceResult | ShrunkCounterexample | null;

export function runTask(task: Task): Promise<TaskResult> {
  return task.kind === "seeds" ? runSlice(task.spec, task.seeds) : runShrinkJob(task.job);
}

/**
 * The seeds one by one, as a campaign runs them, but counting the runs whose violations the
 * scenario does not declare: a demonstration scenario (ack-before-fsync) is expected to fail, and
 * the report must tell its expected losses from anything else.
 */
async function runSlice(spec: CampaignSpec, seeds: Seed[]): Promise<SliceResult> {
  const scenario = resolveScenario(spec);
  const design = spec.design ?? scenario.design;
  const summary = emptySummary(scenario.name, design, describePolicy(parsePolicy(scenario.dedupe)), scenario.transport, false);
  let unexpectedRuns = 0;
  for (const seed of seeds) {
    const r = await runWorld(scenario, seed, { design });
    addRun(summary, r);
    if (r.unexpected.length > 0) unexpectedRuns += 1;
  }
  summary.seeds = seeds;
  summary.firstFailingSeed = summary.failures[0]?.seed ?? null;
  return { summary, unexpectedRuns };
}
