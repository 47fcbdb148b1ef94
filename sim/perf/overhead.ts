// What the simulation adds: the fault-free 50-op world (scheduler, wire model, checks, trace)
// against the same client and server over a bare in-memory capnweb pair (sim/perf/bare.ts).
import { runWorld } from "../world/world.js";
import { bareRun } from "./bare.js";
import type { Scenario } from "../world/scenario.js";
import { perRun, timeRuns } from "./cpu.js";

export interface Overhead {
  runs: number;
  simCpuMsPerRun: number;
  bareCpuMsPerRun: number;
  /** sim / bare. */
  ratio: number;
}

export async function measureOverhead(basic: Scenario, runs: number, warmup: number): Promise<Overhead> {
  const sim = await timeRuns(runs, (seed) => runWorld(basic, seed), warmup);
  const bare = await timeRuns(runs, (seed) => bareRun(basic.workload, seed), warmup);
  const simCpuMsPerRun = perRun(sim.cpuMs, runs);
  const bareCpuMsPerRun = perRun(bare.cpuMs, runs);
  return { runs, simCpuMsPerRun, bareCpuMsPerRun, ratio: bareCpuMsPerRun > 0 ? simCpuMsPerRun / bareCpuMsPerRun : 0 };
}
