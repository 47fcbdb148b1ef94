// A small, strict argument parser: unknown flags and missing values are usage errors (exit 2).
import { parseSeed, type Seed } from "../rng.js";
import { PLANT_NAMES, type PlantName } from "../plants/index.js";
export class UsageError extends Error {
  constructor(message: string) { super(message); this.name = "UsageError"; }
}

export interface ArgSpec { values: string[]; flags: string[] }

export type Args = { values: Map<string, string>; flags: Set<string> };

export function parseArgs(argv: string[], spec: ArgSpec): Args {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { values, flags };
}

export function required(args: Args, name: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function positiveInt(args: Args, name: string, fallback: number): number {
  const v = args.values.get(name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
  return Number(v);
}

export function nonNegativeInt(args: Args, name: string, fallback: number): number {
  const v = args.values.get(name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
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
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}
