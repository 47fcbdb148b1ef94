// A worker thread's share of a campaign: run its seeds, report progress, return a summary.
import { parentPort, workerData } from "node:worker_threads";
import { runSeeds, type CampaignSpec } from "./campaign.js";
import type { Seed } from "./rng.js";

const { spec, seeds } = workerData as { spec: CampaignSpec; seeds: Seed[] };
const summary = await runSeeds(spec, seeds, (done) => {
  if (done % 10 === 0) parentPort!.postMessage({ type: "progress", done });
});
parentPort!.postMessage({ type: "done", summary });
