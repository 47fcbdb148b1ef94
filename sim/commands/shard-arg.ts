// `sturdy campaign --shard k/n|auto`: which shard of the seeds this process runs. With auto the shard
// comes from the engine that runs the campaign's jobs, so one command line serves every job of a
// GitHub Actions matrix or every pod of a Kubernetes Indexed Job.
// Both engines number a job 0 .. total-1; a shard is k/n with k from 1. Neither engine puts the total
// in the job's environment by itself, so the workflow / manifest sets it (and the index, for GitHub)
// under the names below: .github/workflows/campaign.yml and deploy/k8s/campaign-job.yaml do.
import { InputError, UsageError } from "../errors.js";
import { MAX_SEEDS } from "./args.js";

export interface ShardEngine {
  /** What runs the jobs, as a message names it. */
  name: string;
  /** The variable holding this job's index, 0 .. total-1. */
  index: string;
  /** The variable holding the number of jobs. */
  total: string;
  /** Where each variable's value comes from, for --help and the error that finds one missing. */
  setBy: string;
}

export const SHARD_ENGINES: readonly ShardEngine[] = [
  {
    name: "a GitHub Actions matrix job",
    index: "STURDY_MATRIX_INDEX",
    total: "STURDY_MATRIX_TOTAL",
    setBy: "the workflow sets them from ${{ strategy.job-index }} and ${{ strategy.job-total }}",
  },
  {
    name: "a Kubernetes Indexed Job",
    index: "JOB_COMPLETION_INDEX",
    total: "STURDY_JOB_COMPLETIONS",
    setBy: "Kubernetes sets JOB_COMPLETION_INDEX; the manifest sets STURDY_JOB_COMPLETIONS to the Job's completions",
  },
];

export interface AutoShard {
  /** k/n, k from 1. */
  shard: string;
  engine: ShardEngine;
  /** The variables it was read from, as NAME=value (for the line the campaign prints). */
  from: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const isSet = (env: Environment, name: string) => env[name] !== undefined && env[name] !== "";

/** One line naming every variable `--shard auto` reads, and who sets it. */
export function lookedFor(): string {
  return SHARD_ENGINES.map((e) => `${e.index} and ${e.total} (${e.name}: ${e.setBy})`).join(", or ");
}

/** This job's shard, from `env`; an InputError (exit 2, one line) when the environment names none, or names it badly. */
export function shardFromEnvironment(env: Environment): AutoShard {
  const present = SHARD_ENGINES.filter((e) => isSet(env, e.index) || isSet(env, e.total));
  if (present.length === 0) throw new InputError(`--shard auto found no shard in the environment: it reads ${lookedFor()}`);
  if (present.length > 1) {
    const which = present.map((e) => `${e.name} (${[e.index, e.total].filter((v) => isSet(env, v)).join(", ")})`).join(" and ");
    throw new InputError(`--shard auto found ${which} in the environment: unset one, or give --shard k/n`);
  }
  const engine = present[0]!;
  for (const name of [engine.index, engine.total]) {
    if (!isSet(env, name)) throw new InputError(`--shard auto: ${engine.name} needs ${engine.index} and ${engine.total}, but ${name} is not set (${engine.setBy})`);
  }
  const total = wholeNumber(env, engine.total, 1, MAX_SEEDS);
  const index = wholeNumber(env, engine.index, 0, total - 1);
  return { shard: `${index + 1}/${total}`, engine, from: `${engine.index}=${index}, ${engine.total}=${total}` };
}

function wholeNumber(env: Environment, name: string, min: number, max: number): number {
  const text = env[name]!;
  const n = /^\d{1,8}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new InputError(`--shard auto: ${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

/** `--shard k/n`, or `--shard auto` read from the job's environment; either must leave the shard some seeds. */
export function shardArg(text: string | undefined, count: number, env: Environment): { shard?: string; auto?: AutoShard } {
  if (text === undefined) return {};
  const auto = text === "auto" ? shardFromEnvironment(env) : undefined;
  const given = auto?.shard ?? text;
  const m = /^(\d{1,8})\/(\d{1,8})$/.exec(given);
  const [k, n] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!(k >= 1 && k <= n && n <= MAX_SEEDS)) throw new UsageError(`--shard must be k/n with 1 ≤ k ≤ n ≤ ${MAX_SEEDS}, or auto, got "${text}"`);
  const named = auto ? `auto (${given}, from ${auto.engine.name}: ${auto.from})` : given;
  if (k > count) throw new UsageError(`--shard ${named} of ${count} seeds has no seeds (shard k takes the k-th seed and every n-th after it)`);
  return { shard: `${k}/${n}`, auto };
}
