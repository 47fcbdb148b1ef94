// Exploration hands every decision of the world to a Chooser instead of the seeded streams: which
// ready event runs next, and whether a fault happens at each opportunity. A depth-first explorer
// (sim/explore.ts) implements it to enumerate schedules; `stateKey` lets it prune revisits.
export interface Chooser {
  /** Pick one of `n` alternatives (0 = the default: first ready event, or "no fault"). */
  choose(n: number, label: string, stateKey: () => string): number;
  /** Set when the explorer wants this run to end here (depth bound or a revisited state). */
  readonly stopped: boolean;
  /** Fault budget: may a fault of this class still be offered? */
  mayFault(kind: "crash" | "net"): boolean;
}
