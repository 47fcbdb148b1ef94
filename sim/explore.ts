// Bounded exhaustive exploration of a small world: depth-first search over every decision the world
// makes (which ready event runs next; whether a fault happens at each opportunity, within a fault
// budget), by re-execution from the start, pruning states already seen. Every violation comes with
// the decision list that replays it exactly.
import type { PlantName } from "./plants/index.js";
import type { Chooser } from "./chooser.js";
import { runWorld, type RunResult, type WorldOptions } from "./world/world.js";
import type { Design, Scenario } from "./scenario.js";
import { stopwatch } from "./stopwatch.js";

export interface ExploreBounds { maxDepth: number; netFaults: number; crashes: number; timeLimitMs: number }

export const DEFAULT_BOUNDS: ExploreBounds = { maxDepth: 60, netFaults: 2, crashes: 1, timeLimitMs: 55_000 };

interface Choice { n: number; chosen: number; label: string }

export interface ExploreViolation { choices: number[]; invariants: string[]; message: string }

export interface ExploreReport {
  scenario: string;
  design: Design;
  bounds: ExploreBounds;
  runs: number;
  states: number;
  transitions: number;
  pruned: number;
  depthCut: number;
  maxDepth: number;
  complete: boolean;
  elapsedMs: number;
  /** Schedules that violated an invariant; the first few are kept with their decision lists. */
  violatingRuns: number;
  violations: ExploreViolation[];
}

const VIOLATIONS_KEPT = 10;

/** Decides as the prefix says, then takes alternative 0 at each new choice point. */
class DfsChooser implements Chooser {
  readonly path: Choice[] = [];
  stopped = false;
  stopReason: "depth" | "visited" | undefined;
  private used = { crash: 0, net: 0 };

  constructor(
    private readonly prefix: readonly number[],
    private readonly bounds: ExploreBounds,
    private readonly visited?: Set<string>,
  ) {}

  mayFault(kind: "crash" | "net"): boolean {
    return this.used[kind] < (kind === "crash" ? this.bounds.crashes : this.bounds.netFaults);
  }

  choose(n: number, label: string, stateKey: () => string): number {
    const depth = this.path.length;
    let chosen = 0;
    if (depth < this.prefix.length) chosen = this.prefix[depth]!;
    else if (this.visited) {
      if (depth >= this.bounds.maxDepth) return this.stop("depth");
      const key = `${label}|${stateKey()}`;
      if (this.visited.has(key)) return this.stop("visited");
      this.visited.add(key);
    }
    this.path.push({ n, chosen, label });
    if (chosen === 1 && label !== "sched") this.used[/^(crash|powerLoss)/.test(label) ? "crash" : "net"] += 1;
    return chosen;
  }

  private stop(reason: "depth" | "visited"): number {
    this.stopped = true;
    this.stopReason = reason;
    return 0;
  }
}

export async function explore(scenario: Scenario, design: Design, bounds: ExploreBounds = DEFAULT_BOUNDS, plant?: PlantName): Promise<ExploreReport> {
  const elapsed = stopwatch();
  const visited = new Set<string>();
  const report: ExploreReport = {
    scenario: scenario.name, design, bounds, runs: 0, states: 0, transitions: 0, pruned: 0, depthCut: 0, maxDepth: 0,
    complete: false, elapsedMs: 0, violatingRuns: 0, violations: [],
  };
  let prefix: number[] = [];
  for (;;) {
    const chooser = new DfsChooser(prefix, bounds, visited);
    const r = await runWorld(scenario, 0, { design, chooser, plant });
    report.runs += 1;
    report.transitions += chooser.path.length - prefix.length;
    report.maxDepth = Math.max(report.maxDepth, chooser.path.length);
    if (chooser.stopReason === "visited") report.pruned += 1;
    if (chooser.stopReason === "depth") report.depthCut += 1;
    if (r.violations.length > 0 && ++report.violatingRuns <= VIOLATIONS_KEPT) {
      report.violations.push({
        choices: chooser.path.map((c) => c.chosen),
        invariants: [...new Set(r.violations.map((v) => v.invariant))].sort(),
        message: r.violations[0]!.message,
      });
    }
    // Backtrack: the deepest choice point with an alternative not yet taken.
    let i = chooser.path.length - 1;
    while (i >= 0 && chooser.path[i]!.chosen + 1 >= chooser.path[i]!.n) i--;
    if (i < 0) {
      report.complete = true;
      break;
    }
    if (elapsed() > bounds.timeLimitMs) break;
    prefix = [...chooser.path.slice(0, i).map((c) => c.chosen), chooser.path[i]!.chosen + 1];
  }
  report.states = visited.size;
  report.elapsedMs = Math.round(elapsed());
  return report;
}

/** Re-run one explored schedule exactly (decisions past the list take alternative 0). */
export function replayChoices(scenario: Scenario, design: Design, choices: number[], bounds: ExploreBounds = DEFAULT_BOUNDS, plant?: PlantName): Promise<RunResult> {
  return runWorld(scenario, 0, { design, chooser: new DfsChooser(choices, bounds), keepTrace: true, plant });
}
