// Runs the same seeds through every design (legacy, and the outbox under each dedupe policy),
// shrinks a counterexample for each design that fails, and returns one plain, JSON-able object.
// Everything the report shows comes from this object: the renderers are pure functions of it.
import { defaultWorkers } from "../campaign.js";
import { mergeSummaries, percentile, seedList, type CampaignSummary } from "../campaign-summary.js";
import { INVARIANTS } from "../check/violations.js";
import { TaskPool } from "./pool.js";
import type { ShrunkCounterexample } from "./shrink-job.js";
import { loadScenario, type Design, type Scenario } from "../scenario.js";
import type { FaultCounts } from "../faults.js";
import type { Seed } from "../rng.js";

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

export interface ReportData {
  scenario: { name: string; description: string; transport: string; ops: number };
  seeds: { from: number; count: number };
  version: string;
  commit: string;
  command: string;
  windows: number[];
  designs: DesignResult[];
  invariants: { id: string; text: string }[];
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
  from: number;
  count: number;
  windows: number[];
  version: string;
  commit: string;
  command: string;
  workers?: number;
  /** How many of a design's first failing seeds to shrink (the shortest diagram wins). */
  shrinkSeeds?: number;
  /** The `--scenario` argument that replays `base` with this dedupe policy (a name, or a JSON file). */
  scenarioRef?: (base: Scenario, dedupe: string) => string;
  onProgress?: (p: Progress) => void;
}

export function designSpecs(windows: number[]): DesignSpec[] {
  return [
    { id: "legacy", label: "legacy ShareNext", design: "legacy", dedupe: null },
    { id: "outbox-permanent", label: "outbox + permanent ledger", design: "outbox", dedupe: "permanent" },
    ...[...windows].sort((a, b) => a - b).map((n): DesignSpec => ({
      id: `outbox-window-${n}`, label: `outbox + window(${n})`, design: "outbox", dedupe: `window(${n})`,
    })),
    { id: "outbox-writer-seq", label: "outbox + writer-seq", design: "outbox", dedupe: "writer-seq" },
  ];
}

/** The file name (no directory) for a scenario variant with another dedupe policy. */
export function scenarioVariantFile(base: Scenario, dedupe: string): string {
  return `${base.name}.${dedupe.replace(/[()]/g, "-").replace(/-+$/, "")}.json`;
}

export async function collectReport(o: CollectOptions): Promise<ReportData> {
  const base = loadScenario(o.scenario);
  const ref = o.scenarioRef ?? ((b: Scenario, dedupe: string) => (dedupe === b.dedupe ? o.scenario : `${o.scenario} (dedupe ${dedupe})`));
  const specs = designSpecs(o.windows);
  const pool = new TaskPool(o.workers ?? defaultWorkers(o.count * specs.length));
  // Slices small enough that the last ones balance the workers, large enough to be cheap to merge.
  const sliceSize = Math.max(5, Math.ceil(o.count / (pool.size * 3)));
  const seeds = seedList({ from: o.from, count: o.count });
  const progress = { runs: 0, totalRuns: o.count * specs.length, shrinks: 0, totalShrinks: 0 };
  const tell = (finished?: string) => o.onProgress?.({ ...progress, finished });
  try {
    const designs = await Promise.all(specs.map(async (spec) => {
      const overrides: Partial<Scenario> = spec.dedupe ? { dedupe: spec.dedupe } : {};
      const campaign = { scenario: o.scenario, overrides, design: spec.design, from: o.from, count: o.count, swarm: false };
      const parts = await Promise.all(slices(seeds, sliceSize).map(async (slice) => {
        const part = (await pool.run({ kind: "seeds", spec: campaign, seeds: slice })) as CampaignSummary;
        progress.runs += part.runs;
        tell();
        return part;
      }));
      const summary = mergeSummaries(parts);
      summary.seeds = { from: o.from, count: o.count };
      const scenario = { ...base, ...overrides };
      const scenarioArg = spec.dedupe ? ref(base, spec.dedupe) : o.scenario;
      // Shrink the failing seeds (of the lowest ones kept) whose runs were shortest: they shrink fastest.
      const failing = [...summary.failures].sort((a, b) => a.steps - b.steps).slice(0, o.shrinkSeeds ?? 3).map((f) => f.seed);
      progress.totalShrinks += failing.length;
      tell(`${spec.label}: ${summary.runs} runs, ${summary.failingRuns} failing${failing.length ? `; shrinking ${failing.length}` : ""}`);
      const shrunk = await Promise.all(failing.map(async (seed) => {
        const r = (await pool.run({ kind: "shrink", job: { scenario, scenarioArg, design: spec.design, seed } }, true)) as ShrunkCounterexample | null;
        progress.shrinks += 1;
        tell();
        return r;
      }));
      return designResult(spec, summary, shortest(shrunk, failing));
    }));
    return {
      scenario: { name: base.name, description: base.description, transport: base.transport, ops: base.workload.ops },
      seeds: { from: o.from, count: o.count },
      version: o.version,
      commit: o.commit,
      command: o.command,
      windows: [...o.windows].sort((a, b) => a - b),
      designs,
      invariants: Object.entries(INVARIANTS).map(([id, text]) => ({ id, text })),
    };
  } finally {
    await pool.close();
  }
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

function compareSeeds(a: Seed, b: Seed): number {
  return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
}

export function designResult(spec: DesignSpec, s: CampaignSummary, counterexample: Counterexample | null): DesignResult {
  const perOp = (n: number) => (s.ops.enqueued > 0 ? n / s.ops.enqueued : 0);
  return {
    spec,
    runs: s.runs,
    ops: { ...s.ops },
    faults: { ...s.faults, crashes: { ...s.faults.crashes } },
    failingRuns: s.failingRuns,
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
