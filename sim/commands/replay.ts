// `sturdy replay --scenario S [--design D] [--legacy-server rmw|sync] [--dedupe P] --seed N [--ops K] [--actions a,b] [--faults a,b,c] [--swarm]
//                [--shrink [--target INV]] [--mermaid out.md] [--save corpus.json] [--json]`
// Re-runs one seed bit for bit; --shrink reduces a failing run to a minimal counterexample.
import { loadScenario, parseDesign, type Design, type Scenario } from "../world/scenario.js";
import { runWorld, type RunResult, type WorldOptions } from "../world/world.js";
import { corpusEntry } from "../search/corpus.js";
import { INVARIANT_IDS } from "../check/violations.js";
import { shrink } from "../search/shrink.js";
import { traceToMermaid } from "../record/mermaid.js";
import { describeRun, runSummary } from "../record/run-summary.js";
import type { PlantName } from "../plants/index.js";
import type { Seed } from "../world/rng.js";
import { COMMON, dedupeOverride, humanOut, InputError, intOption, MAX_OPS, plantArg, required, seedArg, UsageError, withLegacyServer, type Args, type CommandSpec } from "./args.js";
import { checkOutputFile, writeOutput } from "./output.js";
import { replayCommandLine } from "../search/replay-command.js";

export const spec: CommandSpec = {
  name: "replay",
  summary: "re-run one seed bit for bit, or shrink a failing one to a minimal counterexample",
  details: [
    "Lists the faults the run took (kind@site#n). --ops, --actions and --faults replay a shrunk run exactly:",
    "only those user actions happen and only those fault opportunities fire; each must name something in the run.",
    "Exits 1 whenever the replayed run violates an invariant, declared by the scenario or not.",
  ],
  options: [
    COMMON.scenario, COMMON.seed, COMMON.design, COMMON.legacyServer, COMMON.dedupe,
    { name: "ops", value: "K", default: "the scenario's", help: `a shorter workload: its first K ops (1 .. ${MAX_OPS})` },
    { name: "actions", value: "a,b,…|none", default: "every action", help: "only these user actions, by position (0-based)" },
    { name: "faults", value: "id,…|none", default: "the seed's own", help: "only these fault opportunities fire (ids as listed, e.g. drop#2)" },
    COMMON.swarm, COMMON.plant,
    { name: "shrink", help: "reduce a failing run to the fewest ops, actions and faults that fail the same way; prints its replay command" },
    { name: "target", value: "invariant", default: "the first violation's", help: `with --shrink: keep this invariant's first violation (${INVARIANT_IDS.join(", ")})` },
    { name: "mermaid", value: "out.md", default: "none", help: "write the run as a Mermaid sequence diagram" },
    { name: "save", value: "file.json", default: "none", help: "save the run as a seed-corpus entry (test/corpus)" },
    COMMON.json,
  ],
  examples: [
    "sturdy replay --scenario lossy --design legacy --seed 2 --shrink --mermaid cx.md",
    "sturdy replay --scenario lossy --design legacy --seed 2 --ops 3 --actions 1 --faults drop#1",
  ],
};

interface ReplayOptions {
  scenarioArg: string; scenario: Scenario; design: Design; seed: Seed; swarm: boolean; plant?: PlantName;
  /** `--legacy-server` as given (the scenario already carries it); repeated in the printed command. */
  legacyServer?: string;
  dedupe?: string;
  ops?: number; actions?: number[]; faults?: string[]; target?: string;
}

export async function run(args: Args): Promise<number> {
  const o = replayOptions(args);
  for (const option of ["mermaid", "save"]) {
    const path = args.values.get(option);
    if (path !== undefined) checkOutputFile(path, option);
  }
  const out = humanOut(args);
  const done = args.flags.has("shrink") ? await shrunk(o, out) : await replayed(o);
  if (!done) {
    out(`seed ${o.seed} does not fail: nothing to shrink`);
    return 0;
  }
  const { result, choices } = done;
  const command = replayCommandLine(o.scenarioArg, o.design, o.seed, { ...choices, swarm: o.swarm, plant: o.plant, legacyServer: o.legacyServer, dedupe: o.dedupe });
  out(describeRun(result));
  out(decisionList(result));
  out(`replay: ${command}`);
  writeFiles(args, o, result, choices, command, out);
  if (args.flags.has("json")) console.log(JSON.stringify({ ...runSummary(result), unexpected: result.unexpected, decisions: result.decisions, replay: command }));
  return result.violations.length === 0 ? 0 : 1;
}

function replayOptions(args: Args): ReplayOptions {
  const scenarioArg = required(args, "scenario");
  const designArg = parseDesign(args.values.get("design"));
  const dedupe = dedupeOverride(args);
  const scenario = { ...withLegacyServer(args, loadScenario(scenarioArg), designArg), ...(dedupe ? { dedupe } : {}) };
  const target = targetArg(args.values.get("target"));
  if (target !== undefined && !args.flags.has("shrink")) throw new UsageError("--target chooses what --shrink keeps: add --shrink");
  if (dedupe !== undefined && args.values.has("save")) throw new UsageError("--save records the scenario as it is and cannot record --dedupe: give --scenario a JSON file with that policy instead");
  return {
    scenarioArg, scenario, target, dedupe,
    seed: seedArg(args),
    design: designArg ?? scenario.design,
    legacyServer: args.values.get("legacy-server"),
    swarm: args.flags.has("swarm"),
    plant: plantArg(args),
    ops: intOption(args, "ops", { min: 1, max: MAX_OPS }),
    faults: parseFaultIds(args.values.get("faults")),
    actions: parseList("actions", args.values.get("actions")),
  };
}

type Choices = Pick<ReplayOptions, "ops" | "actions" | "faults">;

function worldOptions(o: ReplayOptions): WorldOptions {
  return {
    design: o.design, swarm: o.swarm, plant: o.plant, ops: o.ops,
    onlyFaults: o.faults && new Set(o.faults), onlyActions: o.actions && new Set(o.actions),
  };
}

async function replayed(o: ReplayOptions): Promise<{ result: RunResult; choices: Choices }> {
  const result = await runWorld(o.scenario, o.seed, { ...worldOptions(o), keepTrace: true });
  checkNamed(result, o);
  return { result, choices: { ops: o.ops, actions: o.actions, faults: o.faults } };
}

async function shrunk(o: ReplayOptions, out: (text: string) => void): Promise<{ result: RunResult; choices: Choices } | undefined> {
  if (o.actions || o.faults) checkNamed(await runWorld(o.scenario, o.seed, worldOptions(o)), o);
  const cx = await shrink(o.scenario, o.seed, worldOptions(o), undefined, o.target);
  if (!cx) return undefined;
  // Only what the shrunk run reached: a fault that never fired (a cut-short search can keep one) names nothing.
  const fired = new Set(cx.result.decisions.map((d) => d.id));
  const choices = { ops: cx.ops, actions: cx.actions?.filter((a) => a < cx.result.actionsGenerated), faults: cx.faults.filter((f) => fired.has(f)) };
  out(`shrunk in ${cx.attempts} runs to ${choices.actions?.length ?? cx.ops} user actions and ${choices.faults.length} faults`);
  return { result: cx.result, choices };
}

/** `--actions` and `--faults` must name actions and fault opportunities the run has. */
function checkNamed(r: RunResult, o: Pick<ReplayOptions, "actions" | "faults">): void {
  const actions = (o.actions ?? []).filter((a) => a >= r.actionsGenerated);
  if (actions.length > 0) {
    throw new InputError(`--actions ${actions.join(",")}: no such user action; this run has ${r.actionsGenerated} user actions (0 .. ${r.actionsGenerated - 1})`);
  }
  const fired = new Set(r.decisions.map((d) => d.id));
  const faults = (o.faults ?? []).filter((f) => !fired.has(f));
  if (faults.length > 0) {
    throw new InputError(`--faults ${faults.join(",")}: this run reaches no such fault opportunity (replay without --faults lists the ones a seed takes)`);
  }
}

function writeFiles(args: Args, o: ReplayOptions, result: RunResult, choices: Choices, command: string, out: (text: string) => void): void {
  const mermaidPath = args.values.get("mermaid");
  if (mermaidPath) {
    const { diagram, lines } = traceToMermaid(result.trace!.events);
    writeOutput(mermaidPath, `# Counterexample: ${o.scenario.name} / ${o.design}, seed ${o.seed}\n\n` +
      `${result.violations.map((v) => `- **${v.invariant}** ${v.message}`).join("\n") || "- no violation"}\n\n` +
      `Replay: \`${command}\` (trace ${result.traceHash})\n\n\`\`\`mermaid\n${diagram}\n\`\`\`\n`);
    out(`wrote ${mermaidPath} (${lines} events)`);
  }
  const save = args.values.get("save");
  if (save) {
    writeOutput(save, corpusEntry(o.scenarioArg, o.design, o.seed, { swarm: o.swarm, plant: o.plant, legacyServer: o.scenario.legacyServer, ...choices }, result));
    out(`saved ${save}`);
  }
}

export function decisionList(r: RunResult): string {
  if (r.decisions.length === 0) return "decisions: no faults fired";
  return ["decisions (fault opportunity, virtual time, where):", ...r.decisions.map((d) => `  ${d.id} t=${d.t} ${d.detail}`)].join("\n");
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
