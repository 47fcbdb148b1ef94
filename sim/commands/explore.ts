// `sturdy explore --scenario tiny [--design D] [--seeds N] [--max-depth N] [--net-faults N] [--crashes N]
//                 [--time-limit S] [--plant bug] [--seed S --choices 0,1,...] [--mermaid out.md] [--json]`
import { writeFileSync } from "node:fs";
import { loadScenario } from "../scenario.js";
import { DEFAULT_BOUNDS, explore, replayChoices, type ExploreReport } from "../explore.js";
import { traceToMermaid } from "../mermaid.js";
import { describeRun } from "../summary.js";
import { nonNegativeInt, parseArgs, plantArg, positiveInt, required, seedArg, UsageError } from "./args.js";
import { parseDesign } from "./run.js";

export async function exploreCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ["scenario", "design", "seeds", "max-depth", "net-faults", "crashes", "time-limit", "plant", "seed", "choices", "mermaid"],
    flags: ["json"],
  });
  const name = required(args, "scenario");
  const scenario = loadScenario(name);
  const design = parseDesign(args.values.get("design")) ?? scenario.design;
  const plant = plantArg(args);
  const bounds = {
    maxDepth: positiveInt(args, "max-depth", DEFAULT_BOUNDS.maxDepth),
    netFaults: nonNegativeInt(args, "net-faults", DEFAULT_BOUNDS.netFaults),
    crashes: nonNegativeInt(args, "crashes", DEFAULT_BOUNDS.crashes),
    timeLimitMs: positiveInt(args, "time-limit", DEFAULT_BOUNDS.timeLimitMs / 1000) * 1000,
  };
  const choices = args.values.get("choices");
  if (choices !== undefined) {
    if (!/^\d+(,\d+)*$/.test(choices)) throw new UsageError(`--choices must be a comma-separated list of numbers, got "${choices}"`);
    const seed = args.values.has("seed") ? seedArg(args) : 0;
    const r = await replayChoices(scenario, design, choices.split(",").map(Number), { seed, bounds, plant });
    console.log(describeRun(r));
    const out = args.values.get("mermaid");
    if (out) writeFileSync(out, "```mermaid\n" + traceToMermaid(r.trace!.events).diagram + "\n```\n");
    return r.violations.length === 0 ? 0 : 1;
  }
  if (args.values.has("seed")) throw new UsageError("--seed selects the world to replay with --choices; to explore several seeds use --seeds N");
  const report = await explore(scenario, design, { bounds, plant, seeds: positiveInt(args, "seeds", 1) });
  console.log(describeExplore(report));
  if (args.flags.has("json")) console.log(JSON.stringify(report));
  return report.violatingRuns === 0 ? 0 : 1;
}

/** Says "complete" only when it is: nothing cut at the depth bound and no time limit hit. */
export function describeExplore(r: ExploreReport): string {
  const seeds = r.seeds === 1 ? "seed 0" : `seeds 0..${r.seeds - 1}`;
  const lines = [
    `explore ${r.scenario} / ${r.design}${r.plant ? ` (planted ${r.plant})` : ""}, ${seeds}: depth ≤ ${r.bounds.maxDepth}, ` +
      `≤ ${r.bounds.netFaults} network faults, ≤ ${r.bounds.crashes} crashes, time limit ${r.bounds.timeLimitMs / 1000} s`,
    `  ${verdictLine(r)}`,
    `  ${r.states} states, ${r.pruned} pruned as revisits, ${r.depthCut} cut at the depth bound, ` +
      `time limit ${r.timeLimited ? "HIT" : "not hit"}; ${r.runs} runs, ${r.decisions} decisions, max depth ${r.maxDepth}, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    r.violatingRuns === 0 ? "  ✓ no schedule violates an invariant" : `  ✗ ${r.violatingRuns} violating schedules; first ones:`,
  ];
  for (const v of r.violations.slice(0, 5)) {
    lines.push(`    ${v.invariants.join(",")}: ${v.message}`);
    lines.push(`      replay: npx sturdy explore --scenario ${r.scenario} --design ${r.design}${r.plant ? ` --plant ${r.plant}` : ""}${budgetFlags(r)} --seed ${v.seed} --choices ${v.choices.join(",")}`);
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
