// Runs the same seeds through every design (legacy, and the outbox under each dedupe policy),
// shrinks a counterexample for each design that fails, and returns one plain, JSON-able object.
// Everything the report shows comes from this object: the renderers are pure functions of it.
import { runCampaign } from "../campaign.js";
import { percentile, type CampaignSummary } from "../campaign-summary.js";
import { INVARIANTS } from "../invariants.js";
import { shrink } from "../shrink.js";
import { traceToMermaid } from "../mermaid.js";
import { replayCommandLine } from "../commands/replay.js";
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

export interface Counterexample {
  seed: Seed;
  /** The failing seeds that were shrunk; this one had the fewest diagram lines. */
  tried: Seed[];
  ops: number;
  actions: number[];
  faults: string[];
  violations: { invariant: string; message: string }[];
  traceHash: string;
  attempts: number;
  mermaid: string;
  lines: number;
  replay: string;
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
  onProgress?: (label: string, done: number, total: number) => void;
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
  const designs: DesignResult[] = [];
  for (const spec of designSpecs(o.windows)) {
    const overrides: Partial<Scenario> = spec.dedupe ? { dedupe: spec.dedupe } : {};
    const summary = await runCampaign(
      { scenario: o.scenario, overrides, design: spec.design, from: o.from, count: o.count, swarm: false, workers: o.workers },
      (done, total) => o.onProgress?.(spec.label, done, total),
    );
    const scenario = { ...base, ...overrides };
    const scenarioArg = spec.dedupe ? ref(base, spec.dedupe) : o.scenario;
    const counterexample = summary.failingRuns > 0
      ? await shortestCounterexample(scenario, scenarioArg, spec.design, summary.failures.map((f) => f.seed).slice(0, o.shrinkSeeds ?? 3))
      : null;
    designs.push(designResult(spec, summary, counterexample));
  }
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

/** Shrinks each seed and keeps the counterexample whose diagram has the fewest lines. */
async function shortestCounterexample(scenario: Scenario, scenarioArg: string, design: Design, seeds: Seed[]): Promise<Counterexample | null> {
  let best: Counterexample | null = null;
  for (const seed of seeds) {
    const cx = await shrink(scenario, seed, { design });
    if (!cx) continue;
    const { diagram, lines } = traceToMermaid(cx.result.trace?.events ?? []);
    const actions = cx.actions ?? [];
    const candidate: Counterexample = {
      seed,
      tried: seeds,
      ops: cx.ops,
      actions,
      faults: cx.faults,
      violations: cx.result.violations.map((v) => ({ invariant: v.invariant, message: v.message })),
      traceHash: cx.result.traceHash,
      attempts: cx.attempts,
      mermaid: diagram,
      lines,
      replay: replayCommandLine(scenarioArg, design, seed, { ops: cx.ops, actions, faults: cx.faults }),
    };
    if (!best || candidate.lines < best.lines) best = candidate;
  }
  return best;
}
