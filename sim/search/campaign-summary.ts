// What a campaign reports, built so that shards can be merged into one summary.
import { emptyFaultCounts, type FaultCounts } from "../net/faults.js";
import { emptyCoverage, mergeCoverage, type CoverageData } from "../record/coverage.js";
import type { RunResult } from "../world/world.js";
import { compareSeeds, type Seed } from "../world/rng.js";

export const MAX_FAILURES_KEPT = 5;

export interface FailureRecord {
  seed: Seed; invariants: string[]; message: string; traceHash: string; steps: number; faultsTaken: number;
  /** The `sturdy replay … --shrink` command that reproduces this failure (added by the CLI, kept by merges). */
  replay?: string;
}

/** One seed's verdict, for comparing campaigns seed for seed (a sharded one with one process, one machine with another). */
export interface SeedVerdict { seed: Seed; traceHash: string; invariants: string[] }

export interface CampaignSummary {
  scenario: string;
  design: string;
  /** Legacy campaigns: the server legacy's client synced to (rmw or sync). */
  legacyServer?: string;
  dedupe: string;
  transport: string;
  swarm: boolean;
  seeds: Seed[] | { from: number; count: number; shard?: string };
  runs: number;
  elapsedMs: number;
  runsPerSec: number;
  faults: FaultCounts;
  ops: { enqueued: number; applied: number; duplicates: number; rejected: number; lost: number; roundTrips: number; wireBytes: number };
  failingRuns: number;
  violationsByInvariant: Record<string, number>;
  /** Runs with a violation of each `invariant:kind` (C1:lost-update, C1:stale, …); absent in summaries made before it. */
  violationsByKind?: Record<string, number>;
  firstFailingSeed: Seed | null;
  failures: FailureRecord[];
  converged: number;
  convergenceMs: number[];
  /** Dedupe storage at the end of each run, summed (divide by runs for the mean). */
  ledgerRows: number;
  /** Runs in which some op was applied twice (S1). */
  doubleApplyRuns: number;
  /** H1's reach, summed over runs: share histories judged, and those whose fold (c) could be judged. */
  history: { shares: number; folded: number };
  coverage: CoverageData;
  /** The invariants the scenario declares (a demonstration scenario's expected violations), as the CLI records them. */
  expectViolations?: string[];
  /** Stopped (Ctrl-C) before every seed ran: `seeds` lists the ones that did. */
  interrupted?: boolean;
  /** Every seed's verdict, in seed order (campaign --per-seed; a merge keeps it when every part has it). */
  perSeed?: SeedVerdict[];
}

export function emptySummary(scenario: string, design: string, dedupe: string, transport: string, swarm: boolean): CampaignSummary {
  return {
    scenario, design, dedupe, transport, swarm,
    seeds: { from: 0, count: 0 },
    runs: 0, elapsedMs: 0, runsPerSec: 0,
    faults: emptyFaultCounts(),
    ops: { enqueued: 0, applied: 0, duplicates: 0, rejected: 0, lost: 0, roundTrips: 0, wireBytes: 0 },
    failingRuns: 0, violationsByInvariant: {}, violationsByKind: {}, firstFailingSeed: null, failures: [],
    converged: 0, convergenceMs: [], ledgerRows: 0, doubleApplyRuns: 0, history: { shares: 0, folded: 0 }, coverage: emptyCoverage(),
  };
}

function addCounts<T extends Record<string, unknown>>(into: T, from: T): void {
  for (const key of Object.keys(from) as (keyof T)[]) {
    const v = from[key];
    if (typeof v === "number") (into[key] as number) += v;
    else if (v && typeof v === "object") addCounts(into[key] as Record<string, unknown>, v as Record<string, unknown>);
  }
}

export function addRun(s: CampaignSummary, r: RunResult): void {
  s.runs += 1;
  addCounts(s.faults as unknown as Record<string, unknown>, r.faults as unknown as Record<string, unknown>);
  addCounts(s.ops, r.ops);
  if (r.converged) {
    s.converged += 1;
    s.convergenceMs.push(r.convergenceMs);
  }
  mergeCoverage(s.coverage, r.coverage);
  s.ledgerRows += r.ledgerRows;
  if (r.violations.some((v) => v.invariant === "S1")) s.doubleApplyRuns += 1;
  addCounts(s.history, r.history);
  const invariants = [...new Set(r.violations.map((v) => v.invariant))].sort();
  s.perSeed?.push({ seed: r.seed, traceHash: r.traceHash, invariants });
  if (r.violations.length === 0) return;
  s.failingRuns += 1;
  for (const inv of invariants) s.violationsByInvariant[inv] = (s.violationsByInvariant[inv] ?? 0) + 1;
  const kinds = (s.violationsByKind ??= {});
  for (const kind of new Set(r.violations.map((v) => `${v.invariant}:${v.kind}`))) kinds[kind] = (kinds[kind] ?? 0) + 1;
  if (s.failures.length < MAX_FAILURES_KEPT) {
    s.failures.push({ seed: r.seed, invariants, message: r.violations[0]!.message, traceHash: r.traceHash, steps: r.steps, faultsTaken: r.decisions.length });
  }
}

/** Merge shard summaries: counts add, failures keep the lowest seeds. */
export function mergeSummaries(parts: CampaignSummary[]): CampaignSummary {
  if (parts.length === 0) throw new Error("nothing to merge");
  const first = parts[0]!;
  for (const p of parts) {
    if (p.scenario !== first.scenario || p.design !== first.design || p.legacyServer !== first.legacyServer || p.dedupe !== first.dedupe || p.swarm !== first.swarm) {
      throw new Error(`cannot merge ${label(p)} into ${label(first)}`);
    }
  }
  const out = emptySummary(first.scenario, first.design, first.dedupe, first.transport, first.swarm);
  if (first.legacyServer !== undefined) out.legacyServer = first.legacyServer;
  const seeds: Seed[] = [];
  for (const p of parts) {
    out.runs += p.runs;
    out.elapsedMs = Math.max(out.elapsedMs, p.elapsedMs);
    addCounts(out.faults as unknown as Record<string, unknown>, p.faults as unknown as Record<string, unknown>);
    addCounts(out.ops, p.ops);
    out.failingRuns += p.failingRuns;
    for (const [k, n] of Object.entries(p.violationsByInvariant)) out.violationsByInvariant[k] = (out.violationsByInvariant[k] ?? 0) + n;
    for (const [k, n] of Object.entries(p.violationsByKind ?? {})) out.violationsByKind![k] = (out.violationsByKind![k] ?? 0) + n;
    out.failures.push(...p.failures);
    out.converged += p.converged;
    out.convergenceMs.push(...p.convergenceMs);
    out.ledgerRows += p.ledgerRows;
    out.doubleApplyRuns += p.doubleApplyRuns;
    // A summary written before H1 existed has no history figures.
    if (p.history) addCounts(out.history, p.history);
    mergeCoverage(out.coverage, p.coverage);
    seeds.push(...seedList(p.seeds));
  }
  const bySeed = (a: FailureRecord, b: FailureRecord) => compareSeeds(a.seed, b.seed);
  out.failures = out.failures.sort(bySeed).slice(0, MAX_FAILURES_KEPT);
  out.firstFailingSeed = out.failures[0]?.seed ?? null;
  out.seeds = seeds.sort(compareSeeds);
  if (new Set(out.seeds.map(String)).size !== out.seeds.length) throw new Error("shards overlap: a seed appears twice");
  if (parts.every((p) => p.perSeed)) out.perSeed = parts.flatMap((p) => p.perSeed!).sort((a, b) => compareSeeds(a.seed, b.seed));
  out.runsPerSec = out.elapsedMs > 0 ? Math.round((out.runs / out.elapsedMs) * 1000) : 0;
  return out;
}

/** scenario/design/dedupe, legacy's server named: what a summary is of. */
function label(s: CampaignSummary): string {
  return `${s.scenario}/${s.design}${s.legacyServer ? ` (${s.legacyServer} server)` : ""}/${s.dedupe}`;
}

export function seedList(seeds: CampaignSummary["seeds"]): Seed[] {
  if (Array.isArray(seeds)) return seeds;
  const all = Array.from({ length: seeds.count }, (_, i) => seeds.from + i);
  if (!seeds.shard) return all;
  const [k, n] = seeds.shard.split("/").map(Number) as [number, number];
  return all.filter((_, i) => i % n === k - 1);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
