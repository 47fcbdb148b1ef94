// What a caller may ask of one world, and what it gets back.
import type { Trace } from "../record/trace.js";
import type { FaultCounts, FaultMix } from "../net/faults.js";
import type { TakenFault } from "../net/fault-gate.js";
import type { CoverageData } from "../record/coverage.js";
import type { Chooser } from "./chooser.js";
import type { Violation } from "../check/violations.js";
import type { Seed } from "./rng.js";
import type { Design, LegacyServer } from "./scenario.js";
import type { PlantName } from "../plants/index.js";

export interface WorldOptions {
  design?: Design;
  swarm?: boolean;
  keepTrace?: boolean;
  /** Replay of a shrunk run: fewer ops, and only these fault opportunities may fire. */
  ops?: number;
  onlyFaults?: ReadonlySet<string>;
  /** Replay of a shrunk run: only these workload actions (by position) happen. */
  onlyActions?: ReadonlySet<number>;
  /** Exploration: every scheduling and fault decision comes from here (see sim/search/explore.ts). */
  chooser?: Chooser;
  /** A planted bug (sim/plants), for proving the checks can fail. */
  plant?: PlantName;
}

export interface RunResult {
  seed: Seed;
  scenario: string;
  design: Design;
  /** Legacy runs: the server the legacy client synced to (the scenario's `legacyServer`). */
  legacyServer?: LegacyServer;
  dedupe: string;
  transport: string;
  plant?: PlantName;
  traceHash: string;
  steps: number;
  virtualTimeMs: number;
  faults: FaultCounts;
  mix: FaultMix;
  /** The faults that fired, in order: with the seed, the decision list that replays this run. */
  decisions: TakenFault[];
  /** Workload actions generated before any `onlyActions` filter (for shrinking). */
  actionsGenerated: number;
  ops: { enqueued: number; applied: number; duplicates: number; rejected: number; lost: number; roundTrips: number; wireBytes: number };
  /**
   * H1's reach: the shares whose history it judged at the end (outbox design, once quiet), and of
   * those, the ones whose fold (c) it could judge (every apply's place and content known).
   */
  history: { shares: number; folded: number };
  /** Dedupe storage the server holds at the end: op_id ledger rows plus writer high-water marks. */
  ledgerRows: number;
  converged: boolean;
  convergenceMs: number;
  violations: Violation[];
  /** Invariants violated that the scenario does not declare: a healthy run has none. */
  unexpected: string[];
  coverage: CoverageData;
  trace?: Trace;
}
