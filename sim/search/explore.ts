// Bounded exhaustive exploration of a small world: depth-first search over every decision the world
// makes (which ready event runs next; whether a fault happens at each opportunity, within a fault
// budget; which extreme a sampled delay takes), by re-execution from the start, pruning states
// already seen. Every violation comes with the seed and decision list that replay it exactly.
//
// "complete" is a claim about the whole tree within the fault budget: it is made only when no
// branch was cut at the depth bound and the time limit did not stop the search. Pruning is sound
// only when the state key (sim/world/state-key.ts) holds everything that decides the future;
// test/explore-differential.test.ts checks that pruning changes no verdict.
import type { PlantName } from "../plants/index.js";
import type { Chooser, FaultClass } from "../world/chooser.js";
import { runWorld, type RunResult } from "../world/world.js";
import type { Design, LegacyServer, Scenario } from "../world/scenario.js";
import type { Seed } from "../world/rng.js";
import { stopwatch } from "../perf/stopwatch.js";

export interface ExploreBounds { maxDepth: number; netFaults: number; crashes: number; timeLimitMs: number }

/** The complete search of tiny at this budget is ~5,800 runs, about a minute: the time limit leaves room. */
export const DEFAULT_BOUNDS: ExploreBounds = { maxDepth: 60, netFaults: 2, crashes: 1, timeLimitMs: 300_000 };

export interface ExploreOptions {
  bounds?: Partial<ExploreBounds>;
  plant?: PlantName;
  /** Explore the worlds of seeds 0 .. seeds-1: the seed still decides the workload and every draw left to chance. */
  seeds?: number;
  /** Prune states seen before (the default). Off, every path runs to its end: the reference pruning must agree with. */
  prune?: boolean;
  /**
   * What a run that reached its end is summed up as in `verdicts` (default: its verdict). A finer
   * summary (end time, steps) makes a stricter check that pruning lost nothing.
   */
  verdictOf?: (r: RunResult) => string;
}

interface Choice { n: number; chosen: number; label: string }

export interface ExploreViolation { seed: Seed; choices: number[]; invariants: string[]; message: string }

export interface ExploreReport {
  scenario: string;
  design: Design;
  /** Legacy: the server its client syncs to. */
  legacyServer?: LegacyServer;
  plant?: PlantName;
  bounds: ExploreBounds;
  seeds: number;
  prune: boolean;
  runs: number;
  /** Distinct world states keyed: at the first step boundary after each decision (see DfsChooser.boundary). */
  states: number;
  /** Decisions taken past a replayed prefix: the edges of the search tree. */
  decisions: number;
  /** Runs stopped at a state seen before. */
  pruned: number;
  /** Runs stopped at the depth bound: branches not searched. */
  depthCut: number;
  /** Whether the time limit stopped the search before the tree was exhausted. */
  timeLimited: boolean;
  maxDepth: number;
  /** The whole tree within the fault budget was searched: nothing cut, no time limit hit. */
  complete: boolean;
  elapsedMs: number;
  /** The distinct verdicts of runs that reached their end: sorted `invariant:kind` lists, "" for a clean run (or `verdictOf`'s). */
  verdicts: string[];
  /** Schedules that violated an invariant; the first few are kept with their decision lists. */
  violatingRuns: number;
  violations: ExploreViolation[];
}

const VIOLATIONS_KEPT = 10;

/**
 * Decides as the prefix says, then takes alternative 0 at each new choice point. Exploring, it
 * stops a run at the depth bound or (with `visited`) at a step boundary whose state was seen.
 */
class DfsChooser implements Chooser {
  readonly path: Choice[] = [];
  stopped = false;
  stopReason: "depth" | "visited" | undefined;
  private readonly used: Record<FaultClass, number> = { crash: 0, net: 0 };
  /** A decision was taken since the last boundary (true at the start: the initial state is keyed). */
  private decided = true;

  constructor(
    private readonly prefix: readonly number[],
    private readonly bounds: ExploreBounds,
    private readonly mode: "explore" | "replay",
    private readonly visited?: Set<string>,
  ) {}

  mayFault(kind: FaultClass): boolean {
    return this.used[kind] < (kind === "crash" ? this.bounds.crashes : this.bounds.netFaults);
  }

  boundary(stateKey: () => string): void {
    // Only the first boundary after a decision is keyed: between decisions the world runs
    // deterministically, so two paths that meet anywhere before the next decision still meet at
    // the first boundary after it (one decision later, at a fraction of the keys computed).
    if (!this.decided) return;
    this.decided = false;
    // Within the prefix the states were keyed by the run that first took this path.
    if (!this.visited || this.stopped || this.path.length < this.prefix.length) return;
    // The budget left decides which faults are still offered: part of the state.
    const key = `${this.used.crash},${this.used.net}|${stateKey()}`;
    if (this.visited.has(key)) this.stop("visited");
    else this.visited.add(key);
  }

  choose(n: number, label: string, _stateKey: () => string, fault?: FaultClass): number {
    if (this.stopped) return 0; // the rest of a stopped run's step: not part of the tree
    const depth = this.path.length;
    let chosen = 0;
    if (depth < this.prefix.length) chosen = this.prefix[depth]!;
    else if (this.mode === "explore" && depth >= this.bounds.maxDepth) return this.stop("depth");
    this.path.push({ n, chosen, label });
    this.decided = true;
    if (chosen > 0 && fault) this.used[fault] += 1;
    return chosen;
  }

  private stop(reason: "depth" | "visited"): number {
    this.stopped = true;
    this.stopReason = reason;
    return 0;
  }
}

export async function explore(scenario: Scenario, design: Design, options: ExploreOptions = {}): Promise<ExploreReport> {
  const elapsed = stopwatch();
  const bounds = { ...DEFAULT_BOUNDS, ...options.bounds };
  const seeds = options.seeds ?? 1;
  const prune = options.prune ?? true;
  const report: ExploreReport = {
    scenario: scenario.name, design, ...(design === "legacy" ? { legacyServer: scenario.legacyServer } : {}), ...(options.plant ? { plant: options.plant } : {}), bounds, seeds, prune,
    runs: 0, states: 0, decisions: 0, pruned: 0, depthCut: 0, timeLimited: false, maxDepth: 0,
    complete: false, elapsedMs: 0, verdicts: [], violatingRuns: 0, violations: [],
  };
  const verdicts = new Set<string>();
  for (let seed = 0; seed < seeds && !report.timeLimited; seed++) {
    const visited = prune ? new Set<string>() : undefined;
    const search = { scenario, design, seed, bounds, plant: options.plant, visited, verdictOf: options.verdictOf ?? verdictOf };
    await exploreSeed(search, report, verdicts, elapsed);
    report.states += visited?.size ?? 0;
  }
  report.verdicts = [...verdicts].sort();
  report.complete = report.depthCut === 0 && !report.timeLimited;
  report.elapsedMs = Math.round(elapsed());
  return report;
}

interface SeedSearch {
  scenario: Scenario;
  design: Design;
  seed: number;
  bounds: ExploreBounds;
  plant?: PlantName;
  visited?: Set<string>;
  verdictOf: (r: RunResult) => string;
}

/** Depth-first over one seed's world; sets `timeLimited` if the clock ran out with branches left. */
async function exploreSeed(s: SeedSearch, report: ExploreReport, verdicts: Set<string>, elapsed: () => number): Promise<void> {
  let prefix: number[] = [];
  for (;;) {
    const chooser = new DfsChooser(prefix, s.bounds, "explore", s.visited);
    const r = await runWorld(s.scenario, s.seed, { design: s.design, chooser, plant: s.plant });
    tally(report, chooser, prefix.length, r, s.seed);
    if (!chooser.stopped) verdicts.add(s.verdictOf(r));
    // Backtrack: the deepest choice point with an alternative not yet taken.
    let i = chooser.path.length - 1;
    while (i >= 0 && chooser.path[i]!.chosen + 1 >= chooser.path[i]!.n) i--;
    if (i < 0) return;
    if (elapsed() > s.bounds.timeLimitMs) {
      report.timeLimited = true;
      return;
    }
    prefix = [...chooser.path.slice(0, i).map((c) => c.chosen), chooser.path[i]!.chosen + 1];
  }
}

function tally(report: ExploreReport, chooser: DfsChooser, prefixLength: number, r: RunResult, seed: number): void {
  report.runs += 1;
  report.decisions += chooser.path.length - prefixLength;
  report.maxDepth = Math.max(report.maxDepth, chooser.path.length);
  if (chooser.stopReason === "visited") report.pruned += 1;
  else if (chooser.stopReason === "depth") report.depthCut += 1;
  if (r.violations.length > 0 && ++report.violatingRuns <= VIOLATIONS_KEPT) {
    report.violations.push({
      seed,
      choices: chooser.path.map((c) => c.chosen),
      invariants: [...new Set(r.violations.map((v) => v.invariant))].sort(),
      message: r.violations[0]!.message,
    });
  }
}

/** A run's verdict: which invariants broke, and how ("" when none did). */
export function verdictOf(r: RunResult): string {
  return [...new Set(r.violations.map((v) => `${v.invariant}:${v.kind}`))].sort().join(" ");
}

export interface ReplayOptions { seed?: Seed; bounds?: Partial<ExploreBounds>; plant?: PlantName }

/** Re-run one explored schedule exactly (decisions past the list take alternative 0). */
export function replayChoices(scenario: Scenario, design: Design, choices: number[], options: ReplayOptions = {}): Promise<RunResult> {
  const chooser = new DfsChooser(choices, { ...DEFAULT_BOUNDS, ...options.bounds }, "replay");
  return runWorld(scenario, options.seed ?? 0, { design, chooser, keepTrace: true, plant: options.plant });
}
