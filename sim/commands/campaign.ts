// `sturdy campaign --scenario S [--design D] --seeds N [--from K] [--shard k/n] [--swarm] [--workers W] [--json]`
// `sturdy merge a.json b.json ... [--json]`: merge shard summaries (their last JSON line).
import { readFileSync } from "node:fs";
import { runCampaign } from "../campaign.js";
import { mergeSummaries, percentile, type CampaignSummary } from "../campaign-summary.js";
import { nonNegativeInt, parseArgs, plantArg, positiveInt, required, UsageError } from "./args.js";
import { parseDesign } from "./run.js";

export async function campaignCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["scenario", "design", "seeds", "from", "shard", "workers", "plant"], flags: ["json", "swarm"] });
  const shard = args.values.get("shard");
  if (shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be k/n with 1 ≤ k ≤ n, got "${shard}"`);
  }
  const from = nonNegativeInt(args, "from", 1);
  const tty = process.stderr.isTTY;
  const summary = await runCampaign(
    {
      scenario: required(args, "scenario"),
      design: parseDesign(args.values.get("design")),
      from,
      count: positiveInt(args, "seeds", 100),
      shard,
      swarm: args.flags.has("swarm"),
      plant: plantArg(args),
      workers: args.values.has("workers") ? positiveInt(args, "workers", 1) : undefined,
    },
    tty ? progressBar : undefined,
  );
  if (tty) process.stderr.write("\n");
  console.log(describeCampaign(summary));
  if (args.flags.has("json")) console.log(JSON.stringify(summary));
  return summary.failingRuns === 0 ? 0 : 1;
}

export async function mergeCommand(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const files = argv.filter((a) => a !== "--json");
  if (files.length === 0) throw new UsageError("merge needs one or more campaign JSON files");
  const parts = files.map((f) => {
    const lines = readFileSync(f, "utf8").trim().split("\n");
    try {
      return JSON.parse(lines[lines.length - 1]!) as CampaignSummary;
    } catch {
      throw new UsageError(`${f}: last line is not a campaign JSON summary`);
    }
  });
  const merged = mergeSummaries(parts);
  console.log(describeCampaign(merged));
  if (json) console.log(JSON.stringify(merged));
  return merged.failingRuns === 0 ? 0 : 1;
}

function progressBar(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
}

export function describeCampaign(s: CampaignSummary): string {
  const f = s.faults;
  const inv = Object.entries(s.violationsByInvariant).map(([k, n]) => `${k}: ${n}`).join(", ") || "none";
  const crashed = Object.entries(s.coverage.probes).filter(([, c]) => c.crashed > 0).map(([p]) => p);
  return [
    `campaign ${s.scenario} / ${s.design} (${s.transport}, dedupe ${s.dedupe}${s.swarm ? ", swarm" : ""})`,
    `  runs ${s.runs} in ${(s.elapsedMs / 1000).toFixed(1)} s = ${s.runsPerSec} runs/s`,
    `  faults: ${f.dropped} dropped, ${f.duplicated} duplicated, ${f.reordered} reordered, ${f.delayed} delayed, ${f.severed} severed, ` +
      `${f.partitions} partitions, ${f.powerLosses} power losses, ${f.outages} outages, crashes ${f.crashes.client} client / ${f.crashes.server} server`,
    `  ops: ${s.ops.enqueued} enqueued, ${s.ops.applied} applied, ${s.ops.duplicates} duplicates, ${s.ops.rejected} rejected, ${s.ops.lost} lost`,
    `  converged ${s.converged}/${s.runs}; convergence after last fault p50 ${percentile(s.convergenceMs, 50)} ms, p99 ${percentile(s.convergenceMs, 99)} ms`,
    `  crash points exercised: ${crashed.length ? crashed.join(", ") : "none"}`,
    `  failing runs ${s.failingRuns}; violations by invariant: ${inv}`,
    s.firstFailingSeed === null ? "  ✓ no invariant violated" : `  ✗ first failing seed ${s.firstFailingSeed}: ${s.failures[0]?.message}`,
  ].join("\n");
}
