// Runs the same seeds through every design (legacy, and the outbox under each dedupe policy) on the
// main scenario, and through legacy and the exact dedupe policies on the durability scenarios
// (crashes, power loss, and a demonstration of acks before fsync); shrinks a counterexample for
// each (scenario, design) that fails, and returns one plain, JSON-able object. Everything the
// report shows comes from this object: the renderers are pure functions of it.
import { defaultWorkers } from "../search/campaign.js";
import { mergeSummaries, percentile, seedList, type CampaignSummary } from "../search/campaign-summary.js";
import { INVARIANTS } from "../check/violations.js";
import { TaskPool } from "./pool.js";
import { userImpact } from "./impact.js";
import type { ShrunkCounterexample } from "./shrink-job.js";
import type { SliceResult } from "./tasks.js";
import { loadScenario, type Design, type Scenario } from "../world/scenario.js";
import type { FaultCounts } from "../net/faults.js";
import { compareSeeds, type Seed } from "../world/rng.js";

/** One column of the comparison: a client design and, for the outbox, the server's dedupe policy. */
export interface DesignSpec {
  id: string;
  label: string;
  design: Design;
  /** The server's dedupe policy; null for legacy, whose sync path has no op ledger. */
  dedupe: string | null;
}

export interface Counterexample extends ShrunkCounterexample {
  /** The failing seeds that were shrunk; this one had the fewest diagram lines. */
  tried: Seed[];
}

export interface DesignResult {
  spec: DesignSpec;
  runs: number;
  ops: CampaignSummary["ops"];
  faults: FaultCounts;
  failingRuns: number;
  /** Runs with a violation the scenario does not declare (on a healthy scenario: every failing run). */
  unexpectedRuns: number;
  violationsByInvariant: Record<string, number>;
  doubleApplyRuns: number;
  converged: number;
  convergenceMs: { p50: number; p99: number; max: number };
  roundTripsPerOp: number;
  wireBytesPerOp: number;
  ledgerRowsPerRun: number;
  firstFailingSeed: Seed | null;
  coverage: CampaignSummary["coverage"];
  counterexample: Counterexample | null;
}

export interface ScenarioInfo {
  name: string;
  description: string;
  transport: string;
  ops: number;
  storage: { client: string; server: string };
  /** The server legacy's client syncs to in this scenario (rmw or sync); absent in reports made before it was a choice. */
  legacyServer?: string;
  /** The invariants it declares it violates: empty for a healthy scenario, else a demonstration of a weakness. */
  expectViolations: string[];
}

export interface ScenarioResult {
  scenario: ScenarioInfo;
  /**
   * `main` compares every dedupe policy; `durability` puts legacy and the exact policies through
   * crashes; `adversarial` puts them through the adversarial wire mode, kept apart (ReportData).
   */
  role: "main" | "durability" | "adversarial";
  designs: DesignResult[];
}

export interface ReportData {
  seeds: { from: number; count: number };
  version: string;
  commit: string;
  command: string;
  windows: number[];
  /** The main scenario first, then the durability scenarios. */
  scenarios: ScenarioResult[];
  /**
   * The adversarial wire mode's scenarios (a broken proxy inside a live session), kept apart: the
   * conclusion, the glance and durability tables and the coverage read `scenarios` only, so a
   * transport capnweb does not promise to survive weighs in none of them; it has its own section.
   * Absent in reports made before the mode existed.
   */
  adversarial?: ScenarioResult[];
  invariants: { id: string; text: string; impact: string }[];
}

export interface Progress {
  runs: number;
  totalRuns: number;
  shrinks: number;
  /** Grows as designs finish and their failing seeds are queued for shrinking. */
  totalShrinks: number;
  /** Set when a design's campaign has just finished: one line about it. */
  finished?: string;
}

export interface CollectOptions {
  scenario: string;
  /** Scenarios (names or JSON files) run through legacy and the exact dedupe policies; default none. */
  durability?: string[];
  /** Adversarial-mode scenarios, run through the same designs as durability and reported apart; default none. */
  adversarial?: string[];
  from: number;
  count: number;
  windows: number[];
  version: string;
  commit: string;
  command: string;
  workers?: number;
  /** How many of a design's first failing seeds to shrink (the shortest diagram wins). */
  shrinkSeeds?: number;
  /** The `--scenario` argument that replays `base` (given as `arg`) with this dedupe policy. */
  scenarioRef?: (arg: string, base: Scenario, dedupe: string) => string;
  onProgress?: (p: Progress) => void;
}

/** The report's default durability scenarios: crashes, power loss, and acks before fsync (a demonstration). */
export const DURABILITY_SCENARIOS = ["crashes", "power-loss", "ack-before-fsync"];

/** The report's default adversarial-mode scenarios: frame faults alone, and with crashes (D1 after each restart). */
export const ADVERSARIAL_SCENARIOS = ["adversarial-frames", "adversarial-frames-crashes"];

export function designSpecs(windows: number[]): DesignSpec[] {
  return [
    LEGACY,
    PERMANENT,
    ...[...windows].sort((a, b) => a - b).map((n): DesignSpec => ({
      id: `outbox-window-${n}`, label: `outbox + window(${n})`, design: "outbox", dedupe: `window(${n})`,
    })),
    WRITER_SEQ,
  ];
}

const LEGACY: DesignSpec = { id: "legacy", label: "legacy ShareNext", design: "legacy", dedupe: null };
const PERMANENT: DesignSpec = { id: "outbox-permanent", label: "outbox + permanent ledger", design: "outbox", dedupe: "permanent" };
const WRITER_SEQ: DesignSpec = { id: "outbox-writer-seq", label: "outbox + writer-seq", design: "outbox", dedupe: "writer-seq" };

/**
 * The durability scenarios run legacy and the exact policies only: a window's double-applies are
 * measured on the main scenario, and running every window through crashes too would double the cost
 * without changing the verdict on it.
 */
export function durabilitySpecs(): DesignSpec[] {
  return [LEGACY, PERMANENT, WRITER_SEQ];
}

/** The file name (no directory) for a scenario variant with another dedupe policy. */
export function scenarioVariantFile(base: Scenario, dedupe: string): string {
  return `${base.name}.${dedupe.replace(/[()]/g, "-").replace(/-+$/, "")}.json`;
}

export function scenarioInfo(s: Scenario): ScenarioInfo {
  return {
    name: s.name, description: s.description, transport: s.transport, ops: s.workload.ops,
    storage: { ...s.storage }, legacyServer: s.legacyServer, expectViolations: [...s.expectViolations],
  };
}

interface Context {
  o: CollectOptions;
  pool: TaskPool;
  seeds: Seed[];
  sliceSize: number;
  progress: Omit<Progress, "finished">;
  tell: (finished?: string) => void;
}

export async function collectReport(o: CollectOptions): Promise<ReportData> {
  const plan: { arg: string; role: ScenarioResult["role"]; specs: DesignSpec[] }[] = [
    { arg: o.scenario, role: "main", specs: designSpecs(o.windows) },
    ...(o.durability ?? [])
      .filter((arg) => arg !== o.scenario)
      .map((arg) => ({ arg, role: "durability" as const, specs: durabilitySpecs() })),
    ...(o.adversarial ?? []).map((arg) => ({ arg, role: "adversarial" as const, specs: durabilitySpecs() })),
  ];
  const totalRuns = o.count * plan.reduce((n, p) => n + p.specs.length, 0);
  const pool = new TaskPool(o.workers ?? defaultWorkers(totalRuns));
  const progress = { runs: 0, totalRuns, shrinks: 0, totalShrinks: 0 };
  const cx: Context = {
    o, pool, progress,
    seeds: seedList({ from: o.from, count: o.count }),
    // Slices small enough that the last ones balance the workers, large enough to be cheap to merge.
    sliceSize: Math.max(5, Math.ceil(o.count / (pool.size * 3))),
    tell: (finished) => o.onProgress?.({ ...progress, finished }),
  };
  try {
    const results = await Promise.all(plan.map(async ({ arg, role, specs }): Promise<ScenarioResult> => {
      const base = loadScenario(arg);
      const designs = await Promise.all(specs.map((spec) => runDesign(cx, arg, base, spec)));
      return { scenario: scenarioInfo(base), role, designs };
    }));
    const adversarial = results.filter((s) => s.role === "adversarial");
    return {
      seeds: { from: o.from, count: o.count },
      version: o.version,
      commit: o.commit,
      command: o.command,
      windows: [...o.windows].sort((a, b) => a - b),
      scenarios: results.filter((s) => s.role !== "adversarial"),
      ...(adversarial.length ? { adversarial } : {}),
      invariants: Object.entries(INVARIANTS).map(([id, text]) => ({ id, text, impact: userImpact(id) })),
    };
  } finally {
    await pool.close();
  }
}

/** One (scenario, design): its seeds in slices over the pool, then its shortest failing seeds shrunk. */
async function runDesign(cx: Context, arg: string, base: Scenario, spec: DesignSpec): Promise<DesignResult> {
  const { o, pool, progress } = cx;
  const overrides: Partial<Scenario> = spec.dedupe ? { dedupe: spec.dedupe } : {};
  const campaign = { scenario: arg, overrides, design: spec.design, from: o.from, count: o.count, swarm: false };
  const parts = await Promise.all(slices(cx.seeds, cx.sliceSize).map(async (slice) => {
    const part = (await pool.run({ kind: "seeds", spec: campaign, seeds: slice })) as SliceResult;
    progress.runs += part.summary.runs;
    cx.tell();
    return part;
  }));
  const summary = mergeSummaries(parts.map((p) => p.summary));
  summary.seeds = { from: o.from, count: o.count };
  const unexpectedRuns = parts.reduce((n, p) => n + p.unexpectedRuns, 0);
  const scenario = { ...base, ...overrides };
  const ref = o.scenarioRef ?? ((a: string, b: Scenario, dedupe: string) => (dedupe === b.dedupe ? a : `${a} (dedupe ${dedupe})`));
  const scenarioArg = spec.dedupe ? ref(arg, base, spec.dedupe) : arg;
  // Shrink the failing seeds (of the lowest ones kept) whose runs were shortest: they shrink fastest.
  const failing = [...summary.failures].sort((a, b) => a.steps - b.steps).slice(0, o.shrinkSeeds ?? 3).map((f) => f.seed);
  progress.totalShrinks += failing.length;
  cx.tell(`${base.name} · ${spec.label}: ${summary.runs} runs, ${summary.failingRuns} failing${failing.length ? `; shrinking ${failing.length}` : ""}`);
  const shrunk = await Promise.all(failing.map(async (seed) => {
    const r = (await pool.run({ kind: "shrink", job: { scenario, scenarioArg, design: spec.design, seed } }, true)) as ShrunkCounterexample | null;
    progress.shrinks += 1;
    cx.tell();
    return r;
  }));
  return designResult(spec, summary, shortest(shrunk, failing), unexpectedRuns);
}

function slices<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The counterexample with the fewest diagram lines (ties: the lower seed). */
function shortest(results: (ShrunkCounterexample | null)[], tried: Seed[]): Counterexample | null {
  const order = [...tried].sort(compareSeeds);
  let best: ShrunkCounterexample | null = null;
  for (const r of results) {
    if (!r) continue;
    if (!best || r.lines < best.lines || (r.lines === best.lines && compareSeeds(r.seed, best.seed) < 0)) best = r;
  }
  return best && { ...best, tried: order };
}

/** A design's column from its merged campaign summary. `unexpectedRuns` defaults to every failing run (a healthy scenario). */
export function designResult(spec: DesignSpec, s: CampaignSummary, counterexample: Counterexample | null, unexpectedRuns = s.failingRuns): DesignResult {
  const perOp = (n: number) => (s.ops.enqueued > 0 ? n / s.ops.enqueued : 0);
  return {
    spec,
    runs: s.runs,
    ops: { ...s.ops },
    faults: { ...s.faults, crashes: { ...s.faults.crashes } },
    failingRuns: s.failingRuns,
    unexpectedRuns,
    violationsByInvariant: { ...s.violationsByInvariant },
    doubleApplyRuns: s.doubleApplyRuns,
    converged: s.converged,
    convergenceMs: {
      p50: percentile(s.convergenceMs, 50),
      p99: percentile(s.convergenceMs, 99),
      max: s.convergenceMs.reduce((a, b) => Math.max(a, b), 0),
    },
    roundTripsPerOp: perOp(s.ops.roundTrips),
    wireBytesPerOp: perOp(s.ops.wireBytes),
    ledgerRowsPerRun: s.runs > 0 ? s.ledgerRows / s.runs : 0,
    firstFailingSeed: s.firstFailingSeed,
    coverage: s.coverage,
    counterexample,
  };
}

/** The main scenario (the dedupe comparison). */
export function mainScenario(data: ReportData): ScenarioResult {
  return data.scenarios.find((s) => s.role === "main") ?? data.scenarios[0]!;
}
