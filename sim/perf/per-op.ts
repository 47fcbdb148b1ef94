// Cost per op as a world grows (fault-free): flat means nothing in the harness or the product
// scans what grows with the run.
import { runWorld } from "../world/world.js";
import type { Scenario } from "../world/scenario.js";
import { timeRuns } from "./cpu.js";

export interface PerOpPoint {
  ops: number;
  runs: number;
  cpuUsPerOp: number;
}

/** About `budgetOps` ops per size (at least one run), after one untimed run of the same size. */
export async function measurePerOp(basic: Scenario, sizes: readonly number[], budgetOps: number): Promise<PerOpPoint[]> {
  const big = { ...basic, maxSteps: 10_000_000 };
  const points: PerOpPoint[] = [];
  for (const ops of sizes) {
    const runs = Math.max(1, Math.round(budgetOps / ops));
    // One warm-up at the size: the code is warm from the phases before, the sizes of tables and
    // caches are not. More would double the cost of the largest size for little.
    const t = await timeRuns(runs, (seed) => runWorld(big, seed, { ops }), 1);
    points.push({ ops, runs, cpuUsPerOp: (t.cpuMs * 1000) / (runs * ops) });
  }
  return points;
}
