// `sturdy run --scenario <name|file> --seed <seed> [--design outbox|legacy] [--legacy-server rmw|sync] [--dedupe P] [--swarm] [--plant BUG] [--json]`
import { loadScenario, parseDesign } from "../world/scenario.js";
import { runWorld } from "../world/world.js";
import { describeRun, runSummary } from "../record/run-summary.js";
import { COMMON, dedupeOverride, humanOut, plantArg, required, seedArg, withLegacyServer, type Args, type CommandSpec } from "./args.js";
import { verdict } from "./verdict.js";
import { shrinkCommand } from "../search/replay-command.js";

export const spec: CommandSpec = {
  name: "run",
  summary: "one world, one seed: the workload under the scenario's faults, every invariant checked",
  details: [
    "Prints the faults injected, the ops' fate and every violation. A failing run prints the command that",
    "replays and shrinks it. A scenario that declares violations (expectViolations) and shows only those exits 0.",
  ],
  options: [COMMON.scenario, COMMON.seed, COMMON.design, COMMON.legacyServer, COMMON.dedupe, COMMON.swarm, COMMON.plant, COMMON.json],
  examples: [
    "sturdy run --scenario lossy --seed 7", "sturdy run --scenario lossy --design legacy --seed 3 --json",
    "sturdy run --scenario legacy-rmw --design legacy --legacy-server sync --seed 2",
  ],
};

export async function run(args: Args): Promise<number> {
  const scenarioArg = required(args, "scenario");
  const design = parseDesign(args.values.get("design"));
  const dedupe = dedupeOverride(args);
  const scenario = { ...withLegacyServer(args, loadScenario(scenarioArg), design), ...(dedupe ? { dedupe } : {}) };
  const seed = seedArg(args);
  const swarm = args.flags.has("swarm");
  const plant = plantArg(args);
  const legacyServer = args.values.get("legacy-server");
  const result = await runWorld(scenario, seed, { design, swarm, plant });
  const v = verdict(result.violations.map((x) => x.invariant), scenario.expectViolations);
  const replay = result.violations.length > 0 ? shrinkCommand(scenarioArg, result.design, seed, { swarm, plant, legacyServer, dedupe, target: targetOf(v, scenario.expectViolations) }) : undefined;
  const out = humanOut(args);
  out(describeRun(result));
  if (v.kind !== "held") out(`  ${v.line}`);
  if (replay) out(`  replay: ${replay}`);
  if (args.flags.has("json")) console.log(JSON.stringify({ ...runSummary(result), verdict: v.kind, unexpected: v.unexpected, ...(replay ? { replay } : {}) }));
  return v.code;
}

/** Shrink toward an undeclared invariant when the scenario declares others (they would otherwise be kept first). */
export function targetOf(v: { unexpected: string[] }, declared: readonly string[]): string | undefined {
  return declared.length > 0 ? v.unexpected[0] : undefined;
}
