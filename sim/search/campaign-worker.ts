// A worker thread's share of a campaign: run its seeds, report progress, return a summary (early on "stop").
import { parentPort, workerData } from "node:worker_threads";
import { runSeeds, type CampaignSpec } from "./campaign.js";
import type { Seed } from "../world/rng.js";

const { spec, seeds } = workerData as { spec: CampaignSpec; seeds: Seed[] };
// Ctrl-C in the main thread: finish the current run, then report the runs done.
let stopped = false;
parentPort!.on("message", (m: { type?: string }) => { if (m.type === "stop") stopped = true; });
const summary = await runSeeds(spec, seeds, (done, failing) => {
  if (done % 10 === 0) parentPort!.postMessage({ type: "progress", done, failing });
}, () => stopped);
parentPort!.postMessage({ type: "done", summary });
