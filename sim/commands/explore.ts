// `sturdy explore --scenario tiny [--design D] [--max-depth N] [--net-faults N] [--crashes N]
//                 [--plant bug] [--choices 0,1,...] [--mermaid out.md] [--json]`
import { writeFileSync } from "node:fs";
import { loadScenario } from "../scenario.js";
import { DEFAULT_BOUNDS, explore, replayChoices, type ExploreReport } from "../explore.js";
import { traceToMermaid } from "../mermaid.js";
import { describeRun } from "../summary.js";
import { nonNegativeInt, parseArgs, plantArg, positiveInt, required, UsageError } from "./args.js";
import { parseDesign } from "./run.js";

export async function exploreCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["scenario", "design", "max-depth", "net-faults", "crashes", "plant", "choices", "mermaid"], flags: ["json"] });
  const name = required(args, "scenario");
  const scenario = loadScenario(name);
  const design = parseDesign(args.values.get("design")) ?? scenario.design;
  const plant = plantArg(args);
  const bounds = {
    ...DEFAULT_BOUNDS,
    maxDepth: positiveInt(args, "max-depth", DEFAULT_BOUNDS.maxDepth),
    netFaults: nonNegativeInt(args, "net-faults", DEFAULT_BOUNDS.netFaults),
    crashes: nonNegativeInt(args, "crashes", DEFAULT_BOUNDS.crashes),
  };
  const choices = args.values.get("choices");
  if (choices !== undefined) {
    if (!/^\d+(,\d+)*$/.test(choices)) throw new UsageError(`--choices must be a comma-separated list of numbers, got "${choices}"`);
    const r = await replayChoices(scenario, design, choices.split(",").map(Number), bounds, plant);
    console.log(describeRun(r));
    const out = args.values.get("mermaid");
    if (out) writeFileSync(out, "```mermaid\n" + traceToMermaid(r.trace!.events).diagram + "\n```\n");
    return r.violations.length === 0 ? 0 : 1;
  }
  const report = await explore(scenario, design, bounds, plant);
  console.log(describeExplore(report, args.values.get("plant")));
  if (args.flags.has("json")) console.log(JSON.stringify(report));
  return report.violatingRuns === 0 ? 0 : 1;
}

export function describeExplore(r: ExploreReport, plant?: string): string {
  const lines = [
    `explore ${r.scenario} / ${r.design}${plant ? ` (planted ${plant})` : ""}: depth ≤ ${r.bounds.maxDepth}, ≤ ${r.bounds.netFaults} network faults, ≤ ${r.bounds.crashes} crashes`,
    `  ${r.complete ? "complete" : "INCOMPLETE (time limit)"}: ${r.states} states, ${r.transitions} transitions, ${r.runs} runs, ${r.pruned} pruned as revisits, ` +
      `${r.depthCut} cut at the depth bound, max depth ${r.maxDepth}, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    r.violatingRuns === 0 ? "  ✓ no schedule violates an invariant" : `  ✗ ${r.violatingRuns} violating schedules; first ones:`,
  ];
  for (const v of r.violations.slice(0, 5)) {
    lines.push(`    ${v.invariants.join(",")}: ${v.message}`);
    lines.push(`      replay: npx sturdy explore --scenario ${r.scenario} --design ${r.design}${plant ? ` --plant ${plant}` : ""} --choices ${v.choices.join(",")}`);
  }
  return lines.join("\n");
}
