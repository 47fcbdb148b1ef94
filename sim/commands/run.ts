// `sturdy run --scenario <name|file> --seed <seed> [--design outbox|legacy] [--swarm] [--plant BUG] [--json]`
import { Design, loadScenario } from "../scenario.js";
import { runWorld } from "../world/world.js";
import { describeRun, runSummary } from "../summary.js";
import { parseArgs, plantArg, required, seedArg, UsageError } from "./args.js";

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["scenario", "seed", "design", "plant"], flags: ["json", "swarm"] });
  const scenario = loadScenario(required(args, "scenario"));
  const seed = seedArg(args);
  const design = parseDesign(args.values.get("design"));
  const result = await runWorld(scenario, seed, { design, swarm: args.flags.has("swarm"), plant: plantArg(args) });
  console.log(describeRun(result));
  if (args.flags.has("json")) console.log(JSON.stringify(runSummary(result)));
  return result.violations.length === 0 ? 0 : 1;
}

export function parseDesign(text: string | undefined): Design | undefined {
  if (text === undefined) return undefined;
  const d = Design.safeParse(text);
  if (!d.success) throw new UsageError(`--design must be outbox or legacy, got "${text}"`);
  return d.data;
}
