// The event log of a run. The hash covers every event in order, so two runs with equal hashes
// made the same decisions at the same virtual times.
import { createHash, type Hash } from "node:crypto";

export interface TraceEvent { step: number; t: number; actor: string; kind: string; detail: string }

export class Trace {
  private readonly hash: Hash = createHash("sha256");
  readonly events: TraceEvent[] = [];
  count = 0;

  constructor(private readonly keep: boolean) {}

  record(step: number, t: number, actor: string, kind: string, detail = ""): void {
    this.count += 1;
    this.hash.update(`${step}|${t}|${actor}|${kind}|${detail}\n`);
    if (this.keep) this.events.push({ step, t, actor, kind, detail });
  }

  digest(): string {
    return this.hash.copy().digest("hex").slice(0, 16);
  }
}
