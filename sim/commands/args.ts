// Strict argument parsing on node:util parseArgs: unknown options, missing values, stray arguments
// and repeated options are usage errors (exit 2); every number has bounds. Each command describes
// its options once (CommandSpec), and its --help is generated from that description.
import { parseArgs as nodeParseArgs } from "node:util";
import { parseSeed, type Seed } from "../world/rng.js";
import { PLANT_NAMES, type PlantName } from "../plants/index.js";
import { WorkloadSpec } from "../world/workload.js";
import { describePolicy, parsePolicy } from "../../src/server/dedupe.js";
import { parseLegacyServer, type Design, type Scenario } from "../world/scenario.js";

import { InputError, UsageError } from "../errors.js";

export { InputError, UsageError };

export interface OptionSpec {
  name: string;
  /** The value's placeholder ("N", "name|file.json"); absent for a flag that takes no value. */
  value?: string;
  required?: boolean;
  /** What holds when the option is left out, as printed by --help. */
  default?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments as printed in the usage line ("<summary.json>..."); none when absent. */
  positionals?: string;
  details?: string[];
  options: OptionSpec[];
  examples: string[];
}

export interface Args { values: Map<string, string>; flags: Set<string>; positionals: string[] }

/** The largest seed (seeds are uint32 or words; see sim/world/rng.ts). */
export const MAX_SEED = 2 ** 32 - 1;
export const MAX_SEEDS = 10_000_000;
export const MAX_WORKERS = 64;
/** The scenario schema's cap on a workload's ops. */
export const MAX_OPS: number = WorkloadSpec.shape.ops.removeDefault().maxValue ?? 100_000;

export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

export function parseCommandArgs(argv: string[], spec: CommandSpec): Args {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const o of spec.options) options[o.name] = { type: o.value ? "string" : "boolean" };
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: argv, options, strict: true, allowPositionals: spec.positionals !== undefined, tokens: true });
  } catch (e) {
    throw new UsageError(parseErrorMessage(e));
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== "option") continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} given more than once`);
    seen.add(t.name);
  }
  const args: Args = { values: new Map(), flags: new Set(), positionals: parsed.positionals };
  for (const [name, v] of Object.entries(parsed.values)) {
    if (typeof v === "string") args.values.set(name, v);
    else if (v === true) args.flags.add(name);
  }
  for (const o of spec.options) if (o.required && !args.values.has(o.name)) throw new UsageError(`--${o.name} is required`);
  return args;
}

/** node:util's messages name the option in quotes; ours say what to do, in one line. */
function parseErrorMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code;
  const quoted = /'([^' ]+)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${quoted}`;
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument "${quoted}"`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(message)) return `${quoted} takes no value`;
    return `${quoted} needs a value (a value that starts with "-" is written ${quoted}=-…)`;
  }
  return message.split("\n")[0]!;
}

export function required(args: Args, name: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export interface IntBounds { min: number; max: number }

/** An integer within bounds, or the fallback when the option is absent. Huge numbers are refused, not parsed. */
export function intOption(args: Args, name: string, bounds: IntBounds, fallback: number): number;
export function intOption(args: Args, name: string, bounds: IntBounds, fallback?: number): number | undefined;
export function intOption(args: Args, name: string, bounds: IntBounds, fallback?: number): number | undefined {
  const v = args.values.get(name);
  if (v === undefined) return fallback;
  return boundedInt(`--${name}`, v, bounds);
}

export function boundedInt(label: string, text: string, { min, max }: IntBounds): number {
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${label} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

/** A planted bug (sim/plants), for showing the harness catches it. */
export function plantArg(args: Args): PlantName | undefined {
  const v = args.values.get("plant");
  if (v === undefined) return undefined;
  if (!(PLANT_NAMES as string[]).includes(v)) throw new UsageError(`--plant must be one of ${PLANT_NAMES.join(", ")}, got "${v}"`);
  return v as PlantName;
}

export function seedArg(args: Args, name = "seed"): Seed {
  try {
    return parseSeed(required(args, name));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** `--from K --seeds N`: seeds K .. K+N-1, every one of them a valid seed. */
export function seedRange(args: Args, defaults: { from: number; count: number }): { from: number; count: number } {
  const count = intOption(args, "seeds", { min: 1, max: MAX_SEEDS }, defaults.count);
  const from = intOption(args, "from", { min: 0, max: MAX_SEED }, defaults.from);
  if (from + count - 1 > MAX_SEED) {
    throw new UsageError(`--from ${from} with --seeds ${count} would run seeds up to ${from + count - 1}, past the largest seed ${MAX_SEED}`);
  }
  return { from, count };
}

export const workersOption: OptionSpec = { name: "workers", value: "W", default: "one per 50 seeds, at most one per core", help: `worker threads (1 .. ${MAX_WORKERS})` };

export function workersArg(args: Args): number | undefined {
  return intOption(args, "workers", { min: 1, max: MAX_WORKERS });
}

/**
 * `--legacy-server`: the scenario with that server for legacy's client. Only a legacy run meets it,
 * so with another design it is a usage error rather than silently ignored.
 */
export function withLegacyServer(args: Args, scenario: Scenario, design: Design | undefined): Scenario {
  const server = parseLegacyServer(args.values.get("legacy-server"));
  if (server === undefined) return scenario;
  if ((design ?? scenario.design) !== "legacy") throw new UsageError("--legacy-server chooses the server legacy's client syncs to: add --design legacy");
  return { ...scenario, legacyServer: server };
}

/** Human text goes to stdout, or to stderr when --json keeps stdout for the JSON alone. */
export function humanOut(args: Args): (text: string) => void {
  return args.flags.has("json") ? (text) => process.stderr.write(`${text}\n`) : (text) => process.stdout.write(`${text}\n`);
}

/**
 * `--dedupe P`: the server's dedupe policy instead of the scenario's, in its canonical spelling
 * (the scenario schema's bounds: window(N) with 1 ≤ N ≤ 999999999). Undefined when absent.
 */
export function dedupeOverride(args: Args): string | undefined {
  const text = args.values.get("dedupe");
  if (text === undefined) return undefined;
  try {
    return describePolicy(parsePolicy(text));
  } catch {
    throw new UsageError(`--dedupe must be permanent, writer-seq or window(N) with 1 ≤ N ≤ 999999999, got "${text}"`);
  }
}

/** Options several commands share. */
export const COMMON = {
  scenario: { name: "scenario", value: "name|file.json", required: true, help: "a scenario of scenarios/ (sturdy scenarios lists them) or a scenario JSON file" },
  seed: { name: "seed", value: "seed", required: true, help: `an integer 0 .. ${MAX_SEED} or a word` },
  design: { name: "design", value: "outbox|legacy", default: "the scenario's design", help: "the client: the durable outbox or the legacy one" },
  dedupe: { name: "dedupe", value: "permanent|writer-seq|window(N)", default: "the scenario's policy", help: "the server's dedupe policy instead of the scenario's" },
  legacyServer: {
    name: "legacy-server", value: "rmw|sync", default: "the scenario's legacyServer, rmw unless it says sync",
    help: "with --design legacy, the server it syncs to: rmw, a model of today's cloudsession (reads the share's record, awaits, writes it back, no compare-and-set), or sync, sturdy's syncShare in one SQLite transaction",
  },
  swarm: { name: "swarm", help: "swarm testing: each fault kind the scenario enables is on or off per seed, at a random rate up to the scenario's" },
  plant: { name: "plant", value: "bug", default: "none", help: `run a planted bug: ${PLANT_NAMES.join(", ")}` },
  json: { name: "json", help: "print one JSON summary line on stdout; human-readable text goes to stderr" },
  workers: workersOption,
} satisfies Record<string, OptionSpec>;
