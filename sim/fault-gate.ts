// Every fault the world injects passes through this gate: it rolls the dice, counts, records, and
// (when replaying a shrunk counterexample) lets only the chosen fault opportunities fire.
import type { SimRng } from "./rng.js";
import type { FaultCounts } from "./faults.js";

export type FaultKind =
  | "drop" | "dropResponse" | "stall" | "duplicate" | "reorder" | "delay" | "sever"
  | "partition" | "crashClient" | "crashServer" | "powerLoss";

export interface TakenFault { k: number; kind: FaultKind; t: number; detail: string }

export class FaultGate {
  private count = 0;
  readonly taken: TakenFault[] = [];
  lastAt = 0;

  constructor(
    private readonly rng: SimRng,
    readonly counts: FaultCounts,
    private readonly now: () => number,
    /** Replay of a shrunk run: only these opportunities (1-based, in roll order) may fire. */
    private readonly only?: ReadonlySet<number>,
  ) {}

  /** Would a fault of this kind happen now? Draws from the fault stream even when masked. */
  roll(kind: FaultKind, p: number, detail: string): boolean {
    if (!(p > 0) || !this.rng.chance(p)) return false;
    const k = ++this.count;
    if (this.only && !this.only.has(k)) return false;
    this.taken.push({ k, kind, t: this.now(), detail });
    this.lastAt = this.now();
    countFault(this.counts, kind);
    return true;
  }
}

function countFault(c: FaultCounts, kind: FaultKind): void {
  switch (kind) {
    case "drop": case "dropResponse": case "stall": c.dropped += 1; break;
    case "duplicate": c.duplicated += 1; break;
    case "reorder": c.reordered += 1; break;
    case "delay": c.delayed += 1; break;
    case "sever": c.severed += 1; break;
    case "partition": c.partitions += 1; break;
    case "crashClient": c.crashes.client += 1; break;
    case "crashServer": c.crashes.server += 1; break;
    case "powerLoss": c.powerLosses += 1; break;
  }
}
