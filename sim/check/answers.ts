// F1, fail closed: an answer the client took for a batch's ack must be the answer to that call, so
// it names exactly the ops the client sent in it, each once (the server answers every op of a batch:
// applied, duplicate or rejected). A transport that drops or repeats a single frame of a live
// capnweb session puts the two ends' import/export numbers out of step, and a call can resolve with
// another call's result; a client that believes it has completed the call silently with a wrong
// answer. Refusing it (the call errors, the session is given up) is failing closed; believing it is
// not, whatever the outbox then makes of it. Evidence: the client's own send and ack events.
import type { Ack } from "../../src/protocol/envelope.js";
import type { Report } from "./violations.js";

export class AnswerChecks {
  /** The ops of each batch's latest send: one call per batch is in flight at a time. */
  private readonly sent = new Map<string, readonly string[]>();

  constructor(private readonly report: Report) {}

  onSend(batchID: string, opIDs: readonly string[]): void {
    this.sent.set(batchID, opIDs);
  }

  onAck(batchID: string, ack: Ack): void {
    const sent = this.sent.get(batchID);
    if (!sent) return this.report("F1", "ack-unsent", `an ack was taken for batch ${batchID}, which was never sent`);
    const named = [...ack.applied, ...ack.duplicates, ...ack.rejected.map((r) => r.op_id)];
    const expected = new Set(sent);
    const extra = named.filter((op) => !expected.has(op));
    const missing = sent.filter((op) => !named.includes(op));
    const twice = named.length - new Set(named).size;
    if (extra.length === 0 && missing.length === 0 && twice === 0) return;
    const what = [extra.length ? `names ${extra.join(" ")} it did not send` : "", missing.length ? `leaves out ${missing.join(" ")}` : "", twice ? `names ${twice} op(s) twice` : ""];
    this.report("F1", "foreign-answer", `the client took an answer for batch ${batchID} that is not its ack: it ${what.filter(Boolean).join(", ")}`);
  }
}
