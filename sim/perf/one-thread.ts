// One scenario run after run in this thread: CPU per run, GC and heap allocation per run.
import { runWorld } from "../world/world.js";
import type { Scenario } from "../world/scenario.js";
import { BLOCK, perRun, spread, timeRuns, warmUp } from "./cpu.js";
import { watchGc } from "./gc.js";
import { watchAllocations } from "./alloc.js";

export interface OneThread {
  runs: number;
  warmupRuns: number;
  opsPerRun: number;
  cpuMsPerRun: number;
  /** CPU ms per run over blocks of BLOCK runs: a wide range means the machine disturbed the figure. */
  cpuMsPerRunBlocks: { min: number; median: number; max: number };
  /** 1000 / cpuMsPerRun: what one core does when nothing else wants it. */
  runsPerSecCpu: number;
  /** Measured, so lowered by whatever else the machine runs. */
  runsPerSecWall: number;
  gcEventsPerRun: number;
  gcMsPerRun: number;
  allocatedMBPerRun: number;
}

const MB = 1024 * 1024;

/** A fresh process needs some 40 lossy runs before its CPU per run settles (JIT tiers up). */
export async function measureOneThread(scenario: Scenario, runs: number, warmup: number): Promise<OneThread> {
  let ops = 0;
  const run = async (seed: number) => {
    ops += (await runWorld(scenario, seed)).ops.enqueued;
  };
  await warmUp(warmup, run);
  ops = 0;
  // Both watchers cost a few µs per collection, next to runs of many ms: left on while timing.
  const stopGc = watchGc();
  const stopAllocations = watchAllocations();
  const t = await timeRuns(runs, run, 0);
  const allocated = stopAllocations();
  const gc = await stopGc();
  const cpuMsPerRun = perRun(t.cpuMs, runs);
  return {
    runs,
    warmupRuns: warmup,
    opsPerRun: ops / runs,
    cpuMsPerRun,
    cpuMsPerRunBlocks: spread(t.blocks),
    runsPerSecCpu: cpuMsPerRun > 0 ? 1000 / cpuMsPerRun : 0,
    runsPerSecWall: t.wallMs > 0 ? (runs * 1000) / t.wallMs : 0,
    gcEventsPerRun: gc.events / runs,
    gcMsPerRun: gc.ms / runs,
    allocatedMBPerRun: allocated / runs / MB,
  };
}
