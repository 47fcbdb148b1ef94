// Many seeds of one (scenario, design): in this thread, or spread over worker threads.
import type { PlantName } from "../plants/index.js";
import { availableParallelism } from "node:os";
import { loadScenario, type Design, type Scenario } from "../world/scenario.js";
import { runWorld, type WorldOptions } from "../world/world.js";
import { addRun, emptySummary, mergeSummaries, seedList, type CampaignSummary } from "./campaign-summary.js";
import { describePolicy, parsePolicy } from "../../src/server/dedupe.js";
import { stopwatch } from "../perf/stopwatch.js";
import { startWorker } from "./worker-thread.js";
import type { Seed } from "../world/rng.js";

export interface CampaignSpec {
  scenario: string;
  /** Field overrides on the loaded scenario (e.g. a dedupe policy for the report). */
  overrides?: Partial<Scenario>;
  design?: Design;
  from: number;
  count: number;
  shard?: string;
  swarm: boolean;
  plant?: PlantName;
  /** Worker threads; 1 runs in this thread. */
  workers?: number;
  /** Keep every seed's verdict and trace hash in the summary (`perSeed`). */
  perSeed?: boolean;
}

export function resolveScenario(spec: CampaignSpec): Scenario {
  return { ...loadScenario(spec.scenario), ...spec.overrides };
}

/** Progress: runs done and runs failing so far, of `total`. */
export type CampaignProgress = (done: number, total: number, failing: number) => void;

/** Runs the given seeds in this thread; `stopped` is asked before each seed (Ctrl-C: the runs so far are the summary). */
export async function runSeeds(spec: CampaignSpec, seeds: Seed[], onRun?: (done: number, failing: number) => void, stopped?: () => boolean): Promise<CampaignSummary> {
  const scenario = resolveScenario(spec);
  const design = spec.design ?? scenario.design;
  const summary = emptySummary(scenario.name, design, describePolicy(parsePolicy(scenario.dedupe)), scenario.transport, spec.swarm);
  if (spec.perSeed) summary.perSeed = [];
  if (design === "legacy") summary.legacyServer = scenario.legacyServer;
  const elapsed = stopwatch();
  for (const seed of seeds) {
    if (stopped?.()) break;
    addRun(summary, await runWorld(scenario, seed, { design, swarm: spec.swarm, plant: spec.plant }));
    onRun?.(summary.runs, summary.failingRuns);
  }
  summary.seeds = seeds.slice(0, summary.runs);
  summary.elapsedMs = Math.round(elapsed());
  summary.firstFailingSeed = summary.failures[0]?.seed ?? null;
  summary.runsPerSec = summary.elapsedMs > 0 ? Math.round((summary.runs / summary.elapsedMs) * 1000) : 0;
  return summary;
}

export function defaultWorkers(runs: number): number {
  return Math.max(1, Math.min(availableParallelism(), Math.ceil(runs / 50)));
}

/**
 * Runs the campaign, sharding seeds round-robin over worker threads. When `signal` aborts, each
 * thread stops after its current run and the summary holds the runs done (`interrupted`, with the
 * list of seeds that ran).
 */
export async function runCampaign(spec: CampaignSpec, onProgress?: CampaignProgress, signal?: AbortSignal): Promise<CampaignSummary> {
  const seeds = seedList({ from: spec.from, count: spec.count, shard: spec.shard });
  const workers = Math.max(1, Math.min(spec.workers ?? defaultWorkers(seeds.length), seeds.length));
  const elapsed = stopwatch();
  let summary: CampaignSummary;
  if (workers === 1) {
    summary = await runSeeds(spec, seeds, (done, failing) => onProgress?.(done, seeds.length, failing), () => signal?.aborted ?? false);
  } else {
    const progress = Array.from({ length: workers }, () => ({ done: 0, failing: 0 }));
    const slices = Array.from({ length: workers }, (_, w) => seeds.filter((_, i) => i % workers === w));
    const parts = await Promise.all(slices.map((slice, w) => inWorker(spec, slice, (done, failing) => {
      progress[w] = { done, failing };
      onProgress?.(progress.reduce((a, p) => a + p.done, 0), seeds.length, progress.reduce((a, p) => a + p.failing, 0));
    }, signal)));
    summary = mergeSummaries(parts);
  }
  if (summary.runs < seeds.length) summary.interrupted = true;
  else summary.seeds = { from: spec.from, count: spec.count, ...(spec.shard ? { shard: spec.shard } : {}) };
  summary.elapsedMs = Math.round(elapsed());
  summary.runsPerSec = summary.elapsedMs > 0 ? Math.round((summary.runs / summary.elapsedMs) * 1000) : 0;
  return summary;
}

const WORKER_URL = new URL("./campaign-worker.ts", import.meta.url);

type WorkerMessage = { type: "progress"; done: number; failing: number } | { type: "done"; summary: CampaignSummary };

function inWorker(spec: CampaignSpec, seeds: Seed[], onRun: (done: number, failing: number) => void, signal?: AbortSignal): Promise<CampaignSummary> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(WORKER_URL, { spec: { ...spec, workers: 1 }, seeds });
    const stop = () => worker.postMessage({ type: "stop" });
    signal?.addEventListener("abort", stop, { once: true });
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "progress") onRun(m.done, m.failing);
      else {
        signal?.removeEventListener("abort", stop);
        resolve(m.summary);
        void worker.terminate();
      }
    });
    worker.on("error", reject);
    worker.on("exit", (code) => { if (code !== 0) reject(new Error(`campaign worker exited with ${code}`)); });
  });
}
