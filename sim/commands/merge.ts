// `sturdy merge a.json b.json ... [--complete] [--json]`: merge campaign shard summaries (each file's last JSON line).
import { readFileSync } from "node:fs";
import { mergeSummaries, seedList, type CampaignSummary } from "../search/campaign-summary.js";
import { COMMON, humanOut, InputError, MAX_SEEDS, UsageError, type Args, type CommandSpec } from "./args.js";
import { campaignVerdict, describeCampaign } from "./campaign.js";

export const spec: CommandSpec = {
  name: "merge",
  summary: "add up campaign shard summaries (the --json output of sturdy campaign --shard k/n)",
  positionals: "<summary.json>...",
  details: [
    "Each file's last line must be a campaign's JSON summary. Shards must be disjoint (a seed in two files is",
    "an error) and of the same scenario, design, dedupe policy and swarm setting. Exits like the campaign would.",
    "The merge lists every seed's verdict (perSeed) when every file does (campaign --per-seed).",
  ],
  options: [
    { name: "complete", help: "exit 2 unless the files hold every seed of their campaign's range (no shard missing, none interrupted): a pipeline's merge, where a lost shard must not pass for a smaller campaign" },
    COMMON.json,
  ],
  examples: [
    "sturdy campaign --scenario lossy --seeds 2000 --shard 1/2 --json > a.json   # on one machine",
    "sturdy campaign --scenario lossy --seeds 2000 --shard 2/2 --json > b.json   # on another",
    "sturdy merge a.json b.json",
    "sturdy merge --complete results/shard-*.json   # the last job of a CI matrix or a Kubernetes Indexed Job",
  ],
};

export async function run(args: Args): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError("merge needs one or more campaign JSON files");
  const parts = args.positionals.map((file) => ({ file, summary: readSummary(file) }));
  checkMergeable(parts);
  if (args.flags.has("complete")) checkComplete(parts);
  const merged = mergeSummaries(parts.map((p) => p.summary));
  merged.expectViolations = parts[0]!.summary.expectViolations;
  if (parts.some((p) => p.summary.interrupted)) merged.interrupted = true;
  humanOut(args)(describeCampaign(merged));
  if (args.flags.has("json")) console.log(JSON.stringify(merged));
  return campaignVerdict(merged).code;
}

function readSummary(file: string): CampaignSummary {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (e as Error).message}`);
  }
  const lines = text.trim().split("\n");
  let value: unknown;
  try {
    value = JSON.parse(lines[lines.length - 1]!);
  } catch {
    throw new InputError(`${file} is not a campaign summary: its last line is not JSON (write it with sturdy campaign --json)`);
  }
  const missing = summaryProblem(value);
  if (missing) throw new InputError(`${file} is not a campaign summary: ${missing}`);
  return value as CampaignSummary;
}

/** What makes a value not a campaign summary (undefined when it is one, as far as merging reads it). */
function summaryProblem(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "its last line is not a JSON object";
  const o = v as Record<string, unknown>;
  for (const k of ["scenario", "design", "dedupe", "transport"]) if (typeof o[k] !== "string") return `no "${k}"`;
  for (const k of ["runs", "elapsedMs", "failingRuns", "converged", "ledgerRows", "doubleApplyRuns"]) if (typeof o[k] !== "number") return `no "${k}" count`;
  for (const k of ["faults", "ops", "violationsByInvariant", "coverage"]) if (typeof o[k] !== "object" || o[k] === null) return `no "${k}"`;
  if (typeof o.swarm !== "boolean") return `no "swarm"`;
  if (!Array.isArray(o.failures) || !Array.isArray(o.convergenceMs)) return `no "failures" or "convergenceMs" list`;
  const bad = (o.failures as unknown[]).find((f) => !isFailure(f));
  if (bad !== undefined) return `a failure without a seed and invariants: ${JSON.stringify(bad).slice(0, 80)}`;
  const coverage = o.coverage as { probes?: unknown; events?: unknown };
  if (!isRecord(coverage.probes) || !isRecord(coverage.events)) return `no "coverage.probes" or "coverage.events"`;
  if (Object.values(coverage.probes).some((c) => !isRecord(c))) return `a bad "coverage.probes" entry`;
  const seeds = o.seeds as { from?: unknown; count?: unknown; shard?: unknown } | unknown[] | undefined;
  if (Array.isArray(seeds)) return seeds.length <= MAX_SEEDS ? undefined : `more than ${MAX_SEEDS} seeds`;
  const range = typeof seeds?.count === "number" && Number.isSafeInteger(seeds.count) && seeds.count >= 0 && seeds.count <= MAX_SEEDS;
  if (!range || typeof seeds?.from !== "number") return `no "seeds" range`;
  if (seeds.shard !== undefined && !(typeof seeds.shard === "string" && /^[1-9]\d*\/[1-9]\d*$/.test(seeds.shard))) return `a bad "seeds.shard"`;
  return perSeedProblem(o.perSeed);
}

function perSeedProblem(perSeed: unknown): string | undefined {
  if (perSeed === undefined) return undefined;
  if (!Array.isArray(perSeed)) return `"perSeed" is not a list`;
  const bad = perSeed.find((v) => !(isFailure(v) && typeof (v as { traceHash?: unknown }).traceHash === "string"));
  return bad === undefined ? undefined : `a "perSeed" entry without a seed, trace hash and invariants: ${JSON.stringify(bad).slice(0, 80)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isFailure(f: unknown): boolean {
  return isRecord(f) && (typeof f.seed === "number" || typeof f.seed === "string") && Array.isArray(f.invariants);
}

function checkMergeable(parts: { file: string; summary: CampaignSummary }[]): void {
  const first = parts[0]!;
  const owner = new Map<string, string>();
  for (const { file, summary: s } of parts) {
    const what = (x: CampaignSummary) => `${x.scenario}/${x.design}/${x.dedupe}${x.swarm ? "/swarm" : ""}`;
    if (what(s) !== what(first.summary)) throw new InputError(`cannot merge ${file} (${what(s)}) with ${first.file} (${what(first.summary)})`);
    for (const seed of seedList(s.seeds)) {
      const other = owner.get(String(seed));
      if (other !== undefined) throw new InputError(`shards overlap: seed ${seed} is in ${other === file ? `${file} twice` : `${other} and ${file}`}`);
      owner.set(String(seed), file);
    }
  }
}

/** --complete: the files together hold every seed of the range they were cut from. */
function checkComplete(parts: { file: string; summary: CampaignSummary }[]): void {
  const cut = parts.find((p) => Array.isArray(p.summary.seeds));
  if (cut) throw new InputError(`--complete: ${cut.file} was interrupted after ${cut.summary.runs} runs`);
  const ranges = parts.map((p) => ({ file: p.file, range: p.summary.seeds as { from: number; count: number } }));
  const { file, range } = ranges[0]!;
  const span = (r: { from: number; count: number }) => `seeds ${r.from}..${r.from + r.count - 1}`;
  const other = ranges.find((r) => r.range.from !== range.from || r.range.count !== range.count);
  if (other) throw new InputError(`--complete: ${other.file} is a shard of ${span(other.range)}, ${file} of ${span(range)}`);
  const held = new Set(parts.flatMap((p) => seedList(p.summary.seeds)).map(String));
  const missing = seedList({ from: range.from, count: range.count }).filter((s) => !held.has(String(s)));
  if (missing.length > 0) {
    const shown = `${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`;
    throw new InputError(`--complete: ${missing.length} of ${span(range)} are in no file, so a shard is missing: ${shown}`);
  }
}
