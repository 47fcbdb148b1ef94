// `sturdy explore --scenario tiny [--design D] [--seeds N] [--max-depth N] [--net-faults N] [--crashes N]
//                 [--time-limit S] [--plant bug] [--seed S --choices 0,1,...] [--mermaid out.md] [--json]`
import { loadScenario, parseDesign, type Design, type Scenario } from "../world/scenario.js";
import { DEFAULT_BOUNDS, explore, type ExploreBounds, type ExploreReport } from "../search/explore.js";
import type { Chooser, FaultClass } from "../world/chooser.js";
import { runWorld, type RunResult } from "../world/world.js";
import { traceToMermaid } from "../record/mermaid.js";
import { describeRun, runSummary } from "../record/run-summary.js";
import type { PlantName } from "../plants/index.js";
import type { Seed } from "../world/rng.js";
import { COMMON, humanOut, InputError, intOption, MAX_SEEDS, plantArg, required, seedArg, UsageError, withLegacyServer, type Args, type CommandSpec } from "./args.js";
import { checkOutputFile, writeOutput } from "./output.js";

export const spec: CommandSpec = {
  name: "explore",
  summary: "exhaustive depth-first search over every scheduling, fault and delay decision of a small world",
  details: [
    "Says \"complete\" only when no branch was cut at the depth bound and the time limit was not hit. Every",
    "violating schedule is printed with its --seed and --choices, which replay it exactly (each choice must",
    "name a decision of the run). Exits 1 when some schedule violates an invariant.",
  ],
  options: [
    COMMON.scenario, COMMON.design, COMMON.legacyServer,
    { name: "seeds", value: "N", default: "1", help: "explore the worlds of seeds 0 .. N-1" },
    { name: "max-depth", value: "N", default: String(DEFAULT_BOUNDS.maxDepth), help: "decisions per schedule before a branch is cut (1 .. 100000)" },
    { name: "net-faults", value: "N", default: String(DEFAULT_BOUNDS.netFaults), help: "network faults per schedule (0 .. 100)" },
    { name: "crashes", value: "N", default: String(DEFAULT_BOUNDS.crashes), help: "crashes per schedule (0 .. 100)" },
    { name: "time-limit", value: "S", default: String(DEFAULT_BOUNDS.timeLimitMs / 1000), help: "stop the search after S seconds (1 .. 604800)" },
    COMMON.plant,
    { name: "seed", value: "seed", default: "0", help: "with --choices: the world to replay" },
    { name: "choices", value: "0,1,…", default: "none", help: "replay one schedule: the decisions a violation printed" },
    { name: "mermaid", value: "out.md", default: "none", help: "with --choices: write the schedule as a Mermaid sequence diagram" },
    COMMON.json,
  ],
  examples: ["sturdy explore --scenario tiny", "sturdy explore --scenario tiny --design legacy --net-faults 1 --crashes 0"],
};

export async function run(args: Args): Promise<number> {
  const designArg = parseDesign(args.values.get("design"));
  const scenario = withLegacyServer(args, loadScenario(required(args, "scenario")), designArg);
  const design = designArg ?? scenario.design;
  const plant = plantArg(args);
  const bounds: ExploreBounds = {
    maxDepth: intOption(args, "max-depth", { min: 1, max: 100_000 }, DEFAULT_BOUNDS.maxDepth),
    netFaults: intOption(args, "net-faults", { min: 0, max: 100 }, DEFAULT_BOUNDS.netFaults),
    crashes: intOption(args, "crashes", { min: 0, max: 100 }, DEFAULT_BOUNDS.crashes),
    timeLimitMs: intOption(args, "time-limit", { min: 1, max: 604_800 }, DEFAULT_BOUNDS.timeLimitMs / 1000) * 1000,
  };
  const choices = args.values.get("choices");
  if (choices !== undefined) return replaySchedule(args, { scenario, design, bounds, plant, choices: parseChoices(choices) });
  if (args.values.has("seed")) throw new UsageError("--seed selects the world to replay with --choices; to explore several seeds use --seeds N");
  if (args.values.has("mermaid")) throw new UsageError("--mermaid draws one schedule: use it with --choices");
  const report = await explore(scenario, design, { bounds, plant, seeds: intOption(args, "seeds", { min: 1, max: MAX_SEEDS }, 1) });
  humanOut(args)(describeExplore(report));
  if (args.flags.has("json")) console.log(JSON.stringify(report));
  return report.violatingRuns === 0 ? 0 : 1;
}

interface Schedule { scenario: Scenario; design: Design; bounds: ExploreBounds; plant?: PlantName; choices: number[] }

async function replaySchedule(args: Args, s: Schedule): Promise<number> {
  if (args.values.has("seeds")) throw new UsageError("--choices replays one schedule of one world: give its --seed, not --seeds");
  const mermaid = args.values.get("mermaid");
  if (mermaid !== undefined) checkOutputFile(mermaid, "mermaid");
  const seed: Seed = args.values.has("seed") ? seedArg(args) : 0;
  const chooser = new CheckedReplay(s.choices, s.bounds);
  const r: RunResult = await runWorld(s.scenario, seed, { design: s.design, chooser, keepTrace: true, plant: s.plant });
  chooser.check();
  humanOut(args)(describeRun(r));
  if (mermaid !== undefined) writeOutput(mermaid, "```mermaid\n" + traceToMermaid(r.trace!.events).diagram + "\n```\n");
  if (args.flags.has("json")) console.log(JSON.stringify({ ...runSummary(r), choices: s.choices }));
  return r.violations.length === 0 ? 0 : 1;
}

function parseChoices(text: string): number[] {
  if (!/^\d{1,6}(,\d{1,6})*$/.test(text)) throw new UsageError(`--choices must be a comma-separated list of small numbers, got "${text}"`);
  return text.split(",").map(Number);
}

/**
 * Replays a decision list the way the explorer's replay does (sim/search/explore.ts replayChoices: the list,
 * then alternative 0; faults within the budget), and notes a choice that names no decision of the
 * run: past its last decision, or an alternative the decision does not have.
 */
class CheckedReplay implements Chooser {
  stopped = false;
  private depth = 0;
  private bad: string | undefined;
  private readonly used: Record<FaultClass, number> = { crash: 0, net: 0 };
  constructor(private readonly choices: readonly number[], private readonly bounds: ExploreBounds) {}

  mayFault(kind: FaultClass): boolean {
    return this.used[kind] < (kind === "crash" ? this.bounds.crashes : this.bounds.netFaults);
  }

  choose(n: number, label: string, _stateKey: () => string, fault?: FaultClass): number {
    const i = this.depth++;
    let chosen = this.choices[i] ?? 0;
    if (chosen >= n) {
      this.bad ??= `--choices: choice ${i + 1} is ${chosen}, but decision ${i + 1} (${label}) has only ${n} alternatives (0 .. ${n - 1})`;
      chosen = 0;
    }
    if (chosen > 0 && fault) this.used[fault] += 1;
    return chosen;
  }

  check(): void {
    if (this.bad) throw new InputError(this.bad);
    if (this.choices.length > this.depth) throw new InputError(`--choices has ${this.choices.length} choices, but this run makes only ${this.depth} decisions`);
  }
}

/** Says "complete" only when it is: nothing cut at the depth bound and no time limit hit. */
export function describeExplore(r: ExploreReport): string {
  const seeds = r.seeds === 1 ? "seed 0" : `seeds 0..${r.seeds - 1}`;
  const lines = [
    `explore ${r.scenario} / ${r.design}${r.legacyServer ? ` against the ${r.legacyServer} server` : ""}${r.plant ? ` (planted ${r.plant})` : ""}, ${seeds}: depth ≤ ${r.bounds.maxDepth}, ` +
      `≤ ${r.bounds.netFaults} network faults, ≤ ${r.bounds.crashes} crashes, time limit ${r.bounds.timeLimitMs / 1000} s`,
    `  ${verdictLine(r)}`,
    `  ${r.states} states, ${r.pruned} pruned as revisits, ${r.depthCut} cut at the depth bound, ` +
      `time limit ${r.timeLimited ? "HIT" : "not hit"}; ${r.runs} runs, ${r.decisions} decisions, max depth ${r.maxDepth}, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    r.violatingRuns === 0 ? "  ✓ no schedule violates an invariant" : `  ✗ ${r.violatingRuns} violating schedules; first ones:`,
  ];
  for (const v of r.violations.slice(0, 5)) {
    lines.push(`    ${v.invariants.join(",")}: ${v.message}`);
    const server = r.legacyServer ? ` --legacy-server ${r.legacyServer}` : "";
    lines.push(`      replay: npx sturdy explore --scenario ${r.scenario} --design ${r.design}${server}${r.plant ? ` --plant ${r.plant}` : ""}${budgetFlags(r)} --seed ${v.seed} --choices ${v.choices.join(",")}`);
  }
  return lines.join("\n");
}

/** A replay must offer the same faults, so a budget other than the default goes on its line. */
function budgetFlags(r: ExploreReport): string {
  const { netFaults, crashes } = r.bounds;
  return (netFaults !== DEFAULT_BOUNDS.netFaults ? ` --net-faults ${netFaults}` : "") + (crashes !== DEFAULT_BOUNDS.crashes ? ` --crashes ${crashes}` : "");
}

function verdictLine(r: ExploreReport): string {
  if (r.complete) return "complete: every schedule within the fault budget was searched";
  const why = [
    ...(r.depthCut > 0 ? [`${r.depthCut} branches cut at depth ${r.bounds.maxDepth}`] : []),
    ...(r.timeLimited ? [`stopped by the time limit (${r.bounds.timeLimitMs / 1000} s)`] : []),
  ];
  return `bounded: ${why.join("; ")}`;
}
