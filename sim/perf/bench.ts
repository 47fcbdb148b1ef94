// `npm run bench [-- --quick] [--out FILE] [--compare OLD.json]`: the harness's own cost (issue 11).
// The machine is shared, so the figure of record is CPU time (process.cpuUsage), never wall
// clock; wall-clock throughput is printed beside it, labelled, to show what contention did.
//  1. lossy and crashes: one thread (CPU ms/run, GC, allocations), all cores (worker threads),
//     SQL statements and transactions per op on each side
//  2. sim overhead: the fault-free 50-op world vs. a bare capnweb pair
//  3. cost per op from 50 to 10,000 ops
// Phases that start worker threads come last, so no worker's teardown lands in a one-thread figure.
import { availableParallelism } from "node:os";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadScenario } from "../world/scenario.js";
import { measureOneThread, type OneThread } from "./one-thread.js";
import { measureAllCores, type AllCores } from "./all-cores.js";
import { measureSql, type SqlPerOp } from "./sql-per-op.js";
import { measureOverhead, type Overhead } from "./overhead.js";
import { measurePerOp, type PerOpPoint } from "./per-op.js";
import { compareReports, formatComparison } from "./compare.js";
import { BLOCK } from "./cpu.js";

const SCENARIOS = ["lossy", "crashes"] as const;
type ScenarioName = (typeof SCENARIOS)[number];
const MB = 1024 * 1024;

interface Options {
  quick: boolean;
  out: string;
  compare?: string;
}

interface ScenarioReport {
  // Filled phase by phase (worker phases last); all present in the report written.
  oneThread: OneThread;
  sql?: SqlPerOp;
  allCores?: AllCores;
  derived?: { fromSteadyWorkerCpu: number; fromOneThreadCpu: number };
}

export interface BenchReport {
  node: string;
  cores: number;
  quick: boolean;
  commit: string | null;
  scenarios: Record<ScenarioName, ScenarioReport>;
  overhead: Overhead;
  perOp: PerOpPoint[];
  memory: { rssMBAfterLossyOneThread: number; heapUsedMBAfterLossyOneThread: number };
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { quick: false, out: "reports/bench.json" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) usage(`${arg} needs a file`);
      return v;
    };
    if (arg === "--quick") options.quick = true;
    else if (arg === "--out") options.out = value();
    else if (arg === "--compare") options.compare = value();
    else usage(`unknown argument ${arg}`);
  }
  return options;
}

function usage(message: string): never {
  console.error(`bench: ${message} (usage: npm run bench -- [--quick] [--out FILE] [--compare OLD.json])`);
  process.exit(2);
}

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || null;
  } catch {
    return null;
  }
}

const f = (x: number, digits = 1): string => x.toFixed(digits);

function printOneThread(name: string, r: ScenarioReport): void {
  const o = r.oneThread;
  console.log(`\n${name} (${f(o.opsPerRun, 0)} ops/run)`);
  console.log(`  one thread  ${f(o.cpuMsPerRun, 2)} CPU ms/run = ${f(o.runsPerSecCpu)} runs/s of one core's CPU; ${f(o.runsPerSecWall)} runs/s measured wall-clock (${o.runs} runs after ${o.warmupRuns} warm-up)`);
  const b = o.cpuMsPerRunBlocks;
  console.log(`  steadiness  CPU ms/run in blocks of ${BLOCK} runs: median ${f(b.median, 2)}, range ${f(b.min, 2)}–${f(b.max, 2)}`);
  console.log(`  GC          ${f(o.gcEventsPerRun)} collections/run, ${f(o.gcMsPerRun, 2)} ms/run of pauses (wall-clock); ${f(o.allocatedMBPerRun, 2)} MB/run allocated on the V8 heap`);
}

function printSql(s: SqlPerOp): void {
  console.log(`  SQL per op  over ${s.runs} runs, ${s.opsEnqueued} ops (product: src/ + plants; checker: sim/check + sim/model; harness: rest of sim/)`);
  for (const [side, actors] of Object.entries(s.perOp)) {
    const parts = Object.entries(actors)
      .filter(([, c]) => c.statements + c.transactions > 0)
      .map(([actor, c]) => `${actor} ${f(c.statements, 2)} statements (${f(c.writes, 2)} writes), ${f(c.transactions, 2)} transactions`);
    if (parts.length > 0) console.log(`    ${side.padEnd(7)} ${parts.join(" | ")}`);
  }
}

function printAllCores(r: ScenarioReport, cores: number): void {
  const a = r.allCores!;
  const d = r.derived!;
  console.log(`  all cores   ${a.workers} worker threads, ${a.runs} runs: ${f(a.runsPerSecWall)} runs/s measured wall-clock; ${f(a.cpuMsPerRun, 2)} CPU ms/run over all workers (${f(a.startupCpuMs, 0)} ms of it worker start-up), ${f(a.cpuMsPerRunSteady, 2)} CPU ms/run without start-up${a.failures ? `; ${a.failures} FAILING runs` : ""}`);
  console.log(`  derived     expected runs/s on ${cores} cores = ${cores} × 1000 / CPU ms per run: ${f(d.fromSteadyWorkerCpu)} (worker CPU without start-up), ${f(d.fromOneThreadCpu)} (one-thread CPU)`);
}

function sizes(quick: boolean) {
  return quick
    ? { warmup: 20, oneThread: 30, allCores: 60, sql: 5, overhead: 30, perOp: [50, 500, 2_000], perOpBudget: 500 }
    : { warmup: 50, oneThread: 300, allCores: 1_000, sql: 20, overhead: 200, perOp: [50, 500, 2_000, 10_000], perOpBudget: 2_000 };
}

async function measureScenarios(quick: boolean, report: Partial<BenchReport>): Promise<Record<ScenarioName, ScenarioReport>> {
  const n = sizes(quick);
  const out = {} as Record<ScenarioName, ScenarioReport>;
  for (const name of SCENARIOS) {
    const oneThread = await measureOneThread(loadScenario(name), n.oneThread, n.warmup);
    if (name === "lossy") {
      const m = process.memoryUsage();
      report.memory = { rssMBAfterLossyOneThread: m.rss / MB, heapUsedMBAfterLossyOneThread: m.heapUsed / MB };
    }
    out[name] = { oneThread };
    printOneThread(name, out[name]);
  }
  return out;
}

async function measureWorkers(quick: boolean, scenarios: Record<ScenarioName, ScenarioReport>, cores: number): Promise<void> {
  for (const name of SCENARIOS) {
    const r = scenarios[name];
    r.allCores = await measureAllCores(name, sizes(quick).allCores, cores);
    const expected = (ms: number) => (ms > 0 ? (cores * 1000) / ms : 0);
    r.derived = { fromSteadyWorkerCpu: expected(r.allCores.cpuMsPerRunSteady), fromOneThreadCpu: expected(r.oneThread.cpuMsPerRun) };
    console.log(`\n${name}`);
    printAllCores(r, cores);
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const old = options.compare === undefined ? undefined : readReport(options.compare); // fail before minutes of measuring
  const n = sizes(options.quick);
  const cores = availableParallelism();
  const report: Partial<BenchReport> = { node: process.version, cores, quick: options.quick, commit: gitCommit() };
  console.log(`sturdy bench — node ${report.node}, ${cores} cores, commit ${report.commit?.slice(0, 12) ?? "unknown"}${options.quick ? " (quick)" : ""}`);
  console.log("CPU time (process.cpuUsage: user + system, every thread) is the figure of record; wall-clock figures are lowered by other load on the machine.");
  if (options.quick) console.log("quick: few runs, workers start cold; its figures run high, compare quick with quick only.");

  const scenarios = await measureScenarios(options.quick, report);
  const basic = loadScenario("basic");
  report.overhead = await measureOverhead(basic, n.overhead, n.warmup);
  const o = report.overhead;
  console.log(`\noverhead    fault-free basic, 50 ops: sim ${f(o.simCpuMsPerRun, 2)} CPU ms/run, bare capnweb pair ${f(o.bareCpuMsPerRun, 2)} CPU ms/run, sim/bare ${f(o.ratio, 2)}× (${o.runs} runs each after ${n.warmup} warm-up)`);
  report.perOp = await measurePerOp(basic, n.perOp, n.perOpBudget);
  console.log("cost per op (fault-free world, CPU):");
  for (const p of report.perOp) console.log(`  ${String(p.ops).padStart(6)} ops: ${f(p.cpuUsPerOp)} µs/op (${p.runs} run${p.runs === 1 ? "" : "s"})`);
  console.log(`memory      rss ${f(report.memory!.rssMBAfterLossyOneThread, 0)} MB, heap used ${f(report.memory!.heapUsedMBAfterLossyOneThread, 0)} MB at the end of the lossy one-thread phase`);

  for (const name of SCENARIOS) {
    const sql = (scenarios[name].sql = await measureSql(loadScenario(name), n.sql));
    console.log(`\n${name}`);
    printSql(sql);
  }
  await measureWorkers(options.quick, scenarios, cores);
  const { node, commit, quick, overhead, perOp, memory } = report as BenchReport;
  finish({ node, cores, quick, commit, scenarios, overhead, perOp, memory }, options, old);
}

function readReport(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (e) {
    usage(`cannot read ${path}: ${(e as Error).message}`);
  }
}

function finish(report: BenchReport, options: Options, old: unknown): void {
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${options.out}`);
  if (options.compare) {
    console.log(`\ncompared with ${options.compare} (old → new, ×new/old):`);
    for (const line of formatComparison(compareReports(old, report))) console.log(line);
  }
}

await main();
