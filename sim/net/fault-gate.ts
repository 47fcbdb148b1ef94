// Every fault the world injects passes through this gate: it rolls the dice, counts, records, and
// (when replaying a shrunk counterexample) fires exactly the chosen opportunities instead.
// An opportunity is named by its kind, its site, and how many chances of that kind at that site
// came before it ("crashClient@client.ack.rows-marked#1": the first time the client reached that
// probe). Such a name stays put when an unrelated fault or action is removed, which is what makes
// shrinking converge.
import type { SimRng } from "../world/rng.js";
import type { FaultCounts } from "./faults.js";
import type { Chooser, FaultClass } from "../world/chooser.js";

export type FaultKind =
  | "drop" | "dropResponse" | "stall" | "duplicate" | "reorder" | "delay" | "sever"
  | "partition" | "crashClient" | "crashServer" | "powerLoss" | "outage"
  | "frameDrop" | "frameDuplicate" | "frameReorder";

export interface TakenFault { id: string; kind: FaultKind; t: number; detail: string }

export class FaultGate {
  private readonly chances = new Map<string, number>();
  readonly taken: TakenFault[] = [];
  lastAt = 0;

  constructor(
    private readonly rng: SimRng,
    readonly counts: FaultCounts,
    private readonly now: () => number,
    /** Replay of a shrunk run: exactly these opportunities fire (and no others). */
    private readonly only?: ReadonlySet<string>,
    /** Exploration: the explorer decides each opportunity instead of the dice. */
    private readonly chooser?: { chooser: Chooser; stateKey: () => string },
  ) {}

  /** Would a fault of this kind happen now? Draws from the fault stream even when masked. */
  roll(kind: FaultKind, p: number, detail: string, site?: string): boolean {
    if (!(p > 0)) return false;
    const where = site ? `${kind}@${site}` : kind;
    const n = (this.chances.get(where) ?? 0) + 1;
    this.chances.set(where, n);
    const id = `${where}#${n}`;
    if (!this.decide(kind, p, id, site)) return false;
    this.taken.push({ id, kind, t: this.now(), detail });
    this.lastAt = this.now();
    countFault(this.counts, kind);
    return true;
  }

  private decide(kind: FaultKind, p: number, id: string, site: string | undefined): boolean {
    if (this.chooser) {
      const { chooser, stateKey } = this.chooser;
      const fault = faultClass(kind);
      if (chooser.stopped || !chooser.mayFault(fault)) return false;
      return chooser.choose(2, `${kind}@${site ?? ""}`, stateKey, fault) === 1;
    }
    const rolled = this.rng.chance(p); // drawn in replay too, so the stream stays aligned
    return this.only ? this.only.has(id) : rolled;
  }

  /**
   * A quantity the world samples (a latency, how long an exchange is held): drawn by `sample` from
   * the seeded stream in a normal run, exactly as before; when exploring, one of a few
   * representative `options` (the extremes) chosen by the explorer, so the search covers them
   * instead of whatever one seed happened to draw. Not a fault: it costs no budget.
   */
  pick(label: string, options: readonly number[], sample: () => number): number {
    if (!this.chooser) return sample();
    const distinct = [...new Set(options)];
    const { chooser, stateKey } = this.chooser;
    if (distinct.length === 1 || chooser.stopped) return distinct[0]!;
    return distinct[chooser.choose(distinct.length, label, stateKey)]!;
  }

  /** Called once at the top of every run-loop iteration (see Chooser.boundary). */
  boundary(): void {
    this.chooser?.chooser.boundary?.(this.chooser.stateKey);
  }
}

const CRASHES: ReadonlySet<FaultKind> = new Set(["crashClient", "crashServer", "powerLoss"]);

export function faultClass(kind: FaultKind): FaultClass {
  return CRASHES.has(kind) ? "crash" : "net";
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
    case "outage": c.outages += 1; break;
    case "frameDrop": c.frames.dropped += 1; break;
    case "frameDuplicate": c.frames.duplicated += 1; break;
    case "frameReorder": c.frames.reordered += 1; break;
  }
}
