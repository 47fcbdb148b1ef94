// `sturdy replay --scenario S [--design D] --seed N [--ops K] [--faults a,b,c] [--swarm]
//                [--shrink] [--mermaid out.md] [--save corpus.json] [--json]`
// Re-runs one seed bit for bit; --shrink reduces a failing run to a minimal counterexample.
import { writeFileSync } from "node:fs";
import { loadScenario } from "../scenario.js";
import { runWorld, type RunResult } from "../world/world.js";
import { corpusEntry } from "../corpus.js";
import { INVARIANT_IDS } from "../check/violations.js";
import { shrink } from "../shrink.js";
import { traceToMermaid } from "../mermaid.js";
import { describeRun, runSummary } from "../summary.js";
import { parseArgs, plantArg, positiveInt, required, seedArg, UsageError } from "./args.js";
import { parseDesign } from "./run.js";
import type { Seed } from "../rng.js";
import type { Design } from "../scenario.js";

export async function replayCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["scenario", "design", "seed", "ops", "actions", "faults", "mermaid", "save", "plant", "target"], flags: ["json", "shrink", "swarm"] });
  const scenarioName = required(args, "scenario");
  const scenario = loadScenario(scenarioName);
  const seed = seedArg(args);
  const design = parseDesign(args.values.get("design")) ?? scenario.design;
  const swarm = args.flags.has("swarm");
  const plant = plantArg(args);
  let ops = args.values.has("ops") ? positiveInt(args, "ops", 1) : undefined;
  let faults = parseFaultIds(args.values.get("faults"));
  let actions = parseList("actions", args.values.get("actions"));
  let result: RunResult;
  const only = () => ({ plant, onlyFaults: faults && new Set(faults), onlyActions: actions && new Set(actions) });
  if (args.flags.has("shrink")) {
    const cx = await shrink(scenario, seed, { design, swarm, ops, ...only() }, undefined, targetArg(args.values.get("target")));
    if (!cx) {
      console.log(`seed ${seed} does not fail: nothing to shrink`);
      return 0;
    }
    ({ ops, faults, actions, result } = cx);
    console.log(`shrunk in ${cx.attempts} runs to ${actions?.length ?? ops} user actions and ${faults?.length ?? 0} faults`);
  } else {
    result = await runWorld(scenario, seed, { design, swarm, ops, ...only(), keepTrace: true });
  }
  console.log(describeRun(result));
  console.log(decisionList(result));
  const command = replayCommandLine(scenarioName, design, seed, { ops, actions, faults, swarm, plant });
  console.log(`replay: ${command}`);
  const mermaidPath = args.values.get("mermaid");
  if (mermaidPath) {
    const { diagram, lines } = traceToMermaid(result.trace!.events);
    writeFileSync(mermaidPath, `# Counterexample: ${scenario.name} / ${design}, seed ${seed}\n\n` +
      `${result.violations.map((v) => `- **${v.invariant}** ${v.message}`).join("\n") || "- no violation"}\n\n` +
      `Replay: \`${command}\` (trace ${result.traceHash})\n\n\`\`\`mermaid\n${diagram}\n\`\`\`\n`);
    console.log(`wrote ${mermaidPath} (${lines} events)`);
  }
  const save = args.values.get("save");
  if (save) {
    writeFileSync(save, corpusEntry(scenarioName, design, seed, { swarm, plant, ops, actions, faults }, result));
    console.log(`saved ${save}`);
  }
  if (args.flags.has("json")) console.log(JSON.stringify({ ...runSummary(result), decisions: result.decisions, replay: command }));
  return result.violations.length === 0 ? 0 : 1;
}

export function decisionList(r: RunResult): string {
  if (r.decisions.length === 0) return "decisions: no faults fired";
  return ["decisions (fault opportunity, virtual time, where):", ...r.decisions.map((d) => `  ${d.id} t=${d.t} ${d.detail}`)].join("\n");
}

export interface ReplayChoices { ops?: number; actions?: number[]; faults?: string[]; swarm?: boolean; plant?: string }

export function replayCommandLine(scenario: string, design: Design, seed: Seed, c: ReplayChoices = {}): string {
  const list = (xs: (number | string)[]) => (xs.length ? xs.join(",") : "none");
  return [
    `npx sturdy replay --scenario ${scenario} --design ${design} --seed ${seed}`,
    c.swarm ? " --swarm" : "",
    c.plant ? ` --plant ${c.plant}` : "",
    c.ops !== undefined ? ` --ops ${c.ops}` : "",
    c.actions !== undefined ? ` --actions ${list(c.actions)}` : "",
    c.faults !== undefined ? ` --faults ${list(c.faults)}` : "",
  ].join("");
}

function parseFaultIds(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  if (text === "none") return [];
  if (!/^[A-Za-z]+(@[\w.|-]+)?#\d+(,[A-Za-z]+(@[\w.|-]+)?#\d+)*$/.test(text)) throw new UsageError(`--faults must be a comma-separated list like drop#2,crashClient#7 (or "none"), got "${text}"`);
  return text.split(",");
}

function parseList(name: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  if (text === "none") return [];
  if (!/^\d+(,\d+)*$/.test(text)) throw new UsageError(`--${name} must be a comma-separated list of numbers (or "none"), got "${text}"`);
  return text.split(",").map(Number);
}

function targetArg(text: string | undefined): string | undefined {
  if (text !== undefined && !(INVARIANT_IDS as readonly string[]).includes(text)) throw new UsageError(`--target must be an invariant (${INVARIANT_IDS.join(", ")}), got "${text}"`);
  return text;
}
