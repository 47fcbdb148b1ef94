// The report's units of work, each runnable in any thread: a slice of a campaign's seeds, or the
// shrinking of one failing seed. Inputs and results are plain data, so they cross threads.
import { runSeeds, type CampaignSpec } from "../campaign.js";
import type { CampaignSummary } from "../campaign-summary.js";
import { runShrinkJob, type ShrinkJob, type ShrunkCounterexample } from "./shrink-job.js";
import type { Seed } from "../rng.js";

export type Task =
  | { kind: "seeds"; spec: CampaignSpec; seeds: Seed[] }
  | { kind: "shrink"; job: ShrinkJob };

export type TaskResult = CampaignSummary | ShrunkCounterexample | null;

export function runTask(task: Task): Promise<TaskResult> {
  return task.kind === "seeds" ? runSeeds({ ...task.spec, workers: 1 }, task.seeds) : runShrinkJob(task.job);
}
