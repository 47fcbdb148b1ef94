// CPU time of a batch of runs. The machine the bench runs on is shared (other processes, two
// cores), so wall-clock time measures the neighbours as much as the harness: the figure of record
// is process CPU time (user + system, all threads of this process), and wall time is kept beside
// it only to show how far contention moved it.
import { stopwatch } from "./stopwatch.js";

/** CPU time this process has used so far, in ms (every thread: main, workers, V8's helpers). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface Timed {
  runs: number;
  cpuMs: number;
  wallMs: number;
  /** CPU ms per run of each block of BLOCK consecutive runs (a last, shorter block included). */
  blocks: number[];
}

/** Runs per block: enough to smooth one slow run, few enough that a burst of load shows as one block. */
export const BLOCK = 10;

/** CPU and wall time of `work`, which may be async. */
export async function timed(work: () => Promise<unknown>): Promise<Omit<Timed, "runs" | "blocks">> {
  const cpu0 = cpuMs();
  const wall = stopwatch();
  await work();
  return { cpuMs: cpuMs() - cpu0, wallMs: wall() };
}

/**
 * Untimed runs (seeds apart from the timed ones): the first runs of a process pay for module
 * loading, JIT compilation and statement caches that a long campaign pays once.
 */
export async function warmUp(runs: number, run: (seed: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < runs; i++) await run(1_000_000 + i);
}

/** `n` runs, seeds 1…n, after `warmup` untimed ones. */
export async function timeRuns(n: number, run: (seed: number) => Promise<unknown>, warmup = 10): Promise<Timed> {
  await warmUp(warmup, run);
  const blocks: number[] = [];
  const t = await timed(async () => {
    for (let start = 0; start < n; start += BLOCK) {
      const size = Math.min(BLOCK, n - start);
      const block = await timed(async () => {
        for (let i = start; i < start + size; i++) await run(i + 1);
      });
      blocks.push(block.cpuMs / size);
    }
  });
  return { runs: n, ...t, blocks };
}

/** Lowest, median and highest of the blocks: how steady the figure was while it was taken. */
export function spread(blocks: readonly number[]): { min: number; median: number; max: number } {
  if (blocks.length === 0) return { min: 0, median: 0, max: 0 };
  const sorted = [...blocks].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** ms per run; 0 for no runs rather than NaN, so the JSON stays numeric. */
export function perRun(ms: number, runs: number): number {
  return runs > 0 ? ms / runs : 0;
}
