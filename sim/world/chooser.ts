// Exploration hands every decision of the world to a Chooser instead of the seeded streams: which
// ready event runs next, whether a fault happens at each opportunity, and which of a few
// representative values a sampled quantity (a latency, a hold) takes. A depth-first explorer
// (sim/search/explore.ts) implements it to enumerate schedules; `stateKey` lets it prune revisits.
export type FaultClass = "crash" | "net";

export interface Chooser {
  /**
   * Pick one of `n` alternatives (0 = the default: first ready event, "no fault", the smallest
   * value). `fault`: alternative 1 is a fault of this class, to be charged to the fault budget.
   */
  choose(n: number, label: string, stateKey: () => string, fault?: FaultClass): number;
  /** Set when the explorer wants this run to end here (depth bound or a revisited state). */
  readonly stopped: boolean;
  /** Fault budget: may a fault of this class still be offered? */
  mayFault(kind: FaultClass): boolean;
  /**
   * The top of a run-loop iteration: no product code is on the stack, so everything that decides
   * the future is data the state key can read. The explorer keys (and prunes) states here only:
   * a decision in the middle of a step also depends on the step's local variables, which no key
   * can see, but it is a function of the state at the last boundary and the decisions since.
   */
  boundary?(stateKey: () => string): void;
}
