// `sturdy campaign --scenario S [--design D] [--legacy-server rmw|sync] [--dedupe P] --seeds N [--from K] [--shard k/n|auto] [--swarm] [--workers W] [--plant BUG] [--per-seed] [--json]`
import { resolveScenario, runCampaign, type CampaignSpec } from "../search/campaign.js";
import { percentile, type CampaignSummary, type FailureRecord } from "../search/campaign-summary.js";
import { loadScenario, parseDesign, type Design } from "../world/scenario.js";
import { COMMON, dedupeOverride, humanOut, MAX_SEEDS, plantArg, required, seedRange, UsageError, withLegacyServer, workersArg, type Args, type CommandSpec } from "./args.js";
import { progressDisplay } from "./progress.js";
import { verdict } from "./verdict.js";
import { shrinkCommand } from "../search/replay-command.js";
import { SHARD_ENGINES, shardArg, type AutoShard, type Environment } from "./shard-arg.js";
import { describeFrameFaults } from "../net/faults.js";

export const EXIT_INTERRUPTED = 130;

export const spec: CommandSpec = {
  name: "campaign",
  summary: "many seeds of one scenario on worker threads: runs/s, faults by kind, violations by invariant, first failing seed",
  details: [
    "Seeds from K to K+N-1 (--shard k/n: every n-th of them, starting with the k-th, for one of n machines;",
    "`sturdy merge` adds the shards' --json summaries up). Each failure comes with the command that replays",
    "and shrinks it. Ctrl-C stops after the runs in progress, prints the summary of the runs done and exits 130.",
    "",
    "--shard auto takes k/n from the job that runs it, so every job of a matrix runs the same command line:",
    ...SHARD_ENGINES.flatMap((e) => [`  ${e.name}: k = ${e.index} + 1, n = ${e.total}`, `    (${e.setBy})`]),
    "Neither engine's pair set, or a bad value: exit 2, with one line naming what it looked for.",
    "The README's \"Campaigns on GitHub Actions and Kubernetes\" explains .github/workflows/campaign.yml and deploy/k8s/.",
  ],
  options: [
    COMMON.scenario, COMMON.design, COMMON.legacyServer, COMMON.dedupe,
    { name: "seeds", value: "N", default: "100", help: `how many seeds (1 .. ${MAX_SEEDS})` },
    { name: "from", value: "K", default: "1", help: "the first seed" },
    { name: "shard", value: "k/n|auto", default: "all seeds", help: "run only shard k of n (1 ≤ k ≤ n); auto: k and n from the CI or cluster job's environment (below)" },
    COMMON.swarm, COMMON.workers, COMMON.plant,
    { name: "per-seed", help: "the JSON also lists every seed's trace hash and violated invariants (perSeed, ~65 bytes a seed): to compare shards with one campaign, seed for seed" },
    COMMON.json,
  ],
  examples: [
    "sturdy campaign --scenario lossy --seeds 1000",
    "sturdy campaign --scenario two-writers --dedupe writer-seq --seeds 500",
    "sturdy campaign --scenario lossy --design legacy --seeds 200 --shard 1/2 --json > a.json",
    "STURDY_MATRIX_INDEX=0 STURDY_MATRIX_TOTAL=4 sturdy campaign --scenario lossy --seeds 2000 --shard auto --json > shard-0.json",
  ],
};

export async function run(args: Args): Promise<number> {
  const { spec, auto } = campaignSpec(args, process.env);
  const declared = resolveScenario(spec).expectViolations;
  if (auto) humanOut(args)(`shard ${auto.shard} from ${auto.engine.name} (${auto.from})`);
  const summary = await interruptible(spec);
  summary.expectViolations = [...declared];
  addReplays(summary, spec);
  humanOut(args)(describeCampaign(summary));
  if (args.flags.has("json")) console.log(JSON.stringify(summary));
  return summary.interrupted ? EXIT_INTERRUPTED : campaignVerdict(summary).code;
}

function campaignSpec(args: Args, env: Environment): { spec: CampaignSpec; auto?: AutoShard } {
  const { from, count } = seedRange(args, { from: 1, count: 100 });
  const { shard, auto } = shardArg(args.values.get("shard"), count, env);
  const scenario = required(args, "scenario");
  const design = parseDesign(args.values.get("design"));
  const { legacyServer } = withLegacyServer(args, loadScenario(scenario), design);
  const dedupe = dedupeOverride(args);
  const overrides = { ...(args.values.has("legacy-server") ? { legacyServer } : {}), ...(dedupe ? { dedupe } : {}) };
  const spec: CampaignSpec = {
    scenario, design,
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
    from, count, shard,
    swarm: args.flags.has("swarm"),
    plant: plantArg(args),
    workers: workersArg(args),
    perSeed: args.flags.has("per-seed"),
  };
  return { spec, auto };
}

/** Ctrl-C: the threads finish their current runs and the campaign returns what ran. */
async function interruptible(spec: CampaignSpec): Promise<CampaignSummary> {
  const stop = new AbortController();
  const onSigint = () => {
    process.stderr.write("\ninterrupted: finishing the runs in progress (Ctrl-C again to quit at once)\n");
    stop.abort();
  };
  process.once("SIGINT", onSigint);
  const progress = progressDisplay(process.stderr.isTTY === true);
  try {
    return await runCampaign(spec, (done, total, failing) => progress.update(done, total, failing), stop.signal);
  } finally {
    process.off("SIGINT", onSigint);
    progress.end();
  }
}

function addReplays(s: CampaignSummary, spec: CampaignSpec): void {
  const declared = s.expectViolations ?? [];
  for (const f of s.failures) {
    const target = declared.length > 0 ? f.invariants.find((i) => !declared.includes(i)) : undefined;
    f.replay ??= shrinkCommand(spec.scenario, s.design as Design, f.seed, { swarm: spec.swarm, plant: spec.plant, legacyServer: spec.overrides?.legacyServer, dedupe: spec.overrides?.dedupe, target });
  }
}

export function campaignVerdict(s: CampaignSummary) {
  return verdict(Object.keys(s.violationsByInvariant), s.expectViolations ?? []);
}

export function describeCampaign(s: CampaignSummary): string {
  const f = s.faults;
  const inv = Object.entries(s.violationsByInvariant).map(([k, n]) => `${k}: ${n}`).join(", ") || "none";
  const crashed = Object.entries(s.coverage.probes).filter(([, c]) => c.crashed > 0).map(([p]) => p);
  return [
    `campaign ${s.scenario} / ${s.design}${s.legacyServer ? ` against the ${s.legacyServer} server` : ""} (${s.transport}, dedupe ${s.dedupe}${s.swarm ? ", swarm" : ""})`,
    ...(s.interrupted ? [`  INTERRUPTED (Ctrl-C) after ${s.runs} runs: this summary covers only the seeds that ran`] : []),
    `  runs ${s.runs} in ${(s.elapsedMs / 1000).toFixed(1)} s = ${s.runsPerSec} runs/s`,
    `  faults: ${f.dropped} dropped, ${f.duplicated} duplicated, ${f.reordered} reordered, ${f.delayed} delayed, ${f.severed} severed, ` +
      `${f.partitions} partitions, ${f.powerLosses} power losses, ${f.outages} outages, crashes ${f.crashes.client} client / ${f.crashes.server} server${describeFrameFaults(f)}`,
    `  ops: ${s.ops.enqueued} enqueued, ${s.ops.applied} applied, ${s.ops.duplicates} duplicates, ${s.ops.rejected} rejected, ${s.ops.lost} lost`,
    `  converged ${s.converged}/${s.runs}; convergence after last fault p50 ${percentile(s.convergenceMs, 50)} ms, p99 ${percentile(s.convergenceMs, 99)} ms`,
    `  crash points exercised: ${crashed.length ? crashed.join(", ") : "none"}`,
    ...historyLine(s),
    `  failing runs ${s.failingRuns}; violations by invariant: ${inv}`,
    ...kindLine(s),
    ...verdictLines(s),
  ].join("\n");
}

/** Runs per kind of violation (C1 lost-update, C1 stale, …), most frequent first: what exactly went wrong. */
function kindLine(s: CampaignSummary): string[] {
  const kinds = Object.entries(s.violationsByKind ?? {}).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1));
  return kinds.length === 0 ? [] : [`  runs by kind: ${kinds.map(([k, n]) => `${k.replace(":", " ")} ${n}`).join(", ")}`];
}

/**
 * H1 judges every share of a quiet outbox run; its fold (c) only where the order is complete: no
 * op applied twice, and every apply's place and content known (see sim/check/history.ts).
 */
function historyLine(s: CampaignSummary): string[] {
  const h = s.history;
  if (!h || h.shares === 0) return [];
  const rest = h.shares - h.folded;
  return [`  H1 judged ${h.shares} share histories; ${rest === 0 ? "the fold of every one" : `the fold of ${h.folded} (not of ${rest}: an op applied twice, or an apply whose place or content no evidence shows)`}`];
}

function verdictLines(s: CampaignSummary): string[] {
  const v = campaignVerdict(s);
  if (v.kind === "held") return ["  ✓ no invariant violated"];
  const first = (v.kind === "violated" && s.failures.find((f) => f.invariants.some((i) => v.unexpected.includes(i)))) || s.failures[0];
  const lines = [`  ${v.line}`];
  if (first) lines.push(...failureLines(first, v.kind === "expected" ? "first seed showing them" : "first failing seed"));
  return lines;
}

function failureLines(f: FailureRecord, label: string): string[] {
  return [`  ${label} ${f.seed} (${f.invariants.join(", ")}): ${f.message}`, ...(f.replay ? [`    replay: ${f.replay}`] : [])];
}
