// `npm run bench`: the harness's own speed, in one process so the ratios are comparable.
//  (a) runs/s of the 50-op lossy scenario, one thread and all cores (worker threads)
//  (b) sim overhead: the fault-free 50-op world vs. the same client and server over a bare
//      in-memory capnweb transport with no scheduler, no checks and no trace
//  (c) cost per op from 50 to 10,000 ops (should stay flat)
//  (d) memory
import { availableParallelism } from "node:os";
import { loadScenario } from "./scenario.js";
import { runWorld } from "./world/world.js";
import { runCampaign } from "./campaign.js";
import { stopwatch } from "./stopwatch.js";
import { bareRun } from "./bare.js";

const MB = 1024 * 1024;

async function timeRuns(n: number, run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(10, n); i++) await run(10_000 + i); // warm up
  const elapsed = stopwatch();
  for (let i = 0; i < n; i++) await run(i + 1);
  return elapsed() / n;
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const lossy = loadScenario("lossy");
  const basic = loadScenario("basic");
  const lines: string[] = [];
  const print = (s: string) => { lines.push(s); console.log(s); };

  print(`sturdy bench — node ${process.version}, ${availableParallelism()} cores${quick ? " (quick)" : ""}`);
  const n = quick ? 100 : 500;
  const lossyMs = await timeRuns(n, (seed) => runWorld(lossy, seed));
  print(`(a) lossy, 50 ops, one thread: ${(1000 / lossyMs).toFixed(0)} runs/s (${lossyMs.toFixed(2)} ms/run)`);
  const campaign = await runCampaign({ scenario: "lossy", design: "outbox", from: 1, count: quick ? 200 : 2_000, swarm: false, workers: availableParallelism() });
  print(`    lossy, 50 ops, ${availableParallelism()} worker threads: ${campaign.runsPerSec} runs/s (${campaign.runs} runs)`);

  const simMs = await timeRuns(n, (seed) => runWorld(basic, seed));
  const bareMs = await timeRuns(n, (seed) => bareRun(basic.workload, seed));
  print(`(b) fault-free 50 ops: sim ${simMs.toFixed(2)} ms/run, bare capnweb ${bareMs.toFixed(2)} ms/run, overhead ${(simMs / bareMs).toFixed(2)}×`);

  print("(c) cost per op (fault-free world):");
  for (const ops of quick ? [50, 500, 2_000] : [50, 500, 2_000, 10_000]) {
    const runs = Math.max(1, Math.round(2_000 / ops));
    const ms = await timeRuns(runs, (seed) => runWorld({ ...basic, maxSteps: 10_000_000 }, seed, { ops }));
    print(`    ${String(ops).padStart(6)} ops: ${((ms * 1000) / ops).toFixed(1)} µs/op`);
  }

  const before = process.memoryUsage();
  await timeRuns(quick ? 50 : 200, (seed) => runWorld(lossy, seed));
  const after = process.memoryUsage();
  print(`(d) memory: rss ${(after.rss / MB).toFixed(0)} MB, heap used ${(after.heapUsed / MB).toFixed(0)} MB (Δ ${((after.heapUsed - before.heapUsed) / MB).toFixed(1)} MB over the last runs)`);
}

await main();
