// What a run counts and records: the trace (hashed), coverage of events and probe points, and the
// wire's round trips and bytes. Every part of the world records through here, so the trace is the
// one ordered account of the run.
import { Trace } from "../record/trace.js";
import { Coverage } from "../record/coverage.js";

export class Accounting {
  readonly trace: Trace;
  readonly coverage = new Coverage();
  readonly wire = { roundTrips: 0, bytes: 0 };
  readonly acks = { duplicates: 0, rejected: 0 };
  step = 0;

  constructor(private readonly now: () => number, keepTrace: boolean) {
    this.trace = new Trace(keepTrace);
  }

  readonly record = (actor: string, kind: string, detail = ""): void => {
    this.coverage.event(actor, kind);
    if (actor === "client" && kind === "request") this.wire.roundTrips += 1;
    this.trace.record(this.step, this.now(), actor, kind, detail);
  };
}
