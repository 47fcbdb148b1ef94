// What the flusher accepts as the answer to `appendOps(batch)`. capnweb pairs an answer with its
// call by import and export numbers that both ends count in step, trusting the transport to lose
// and repeat nothing. A broken proxy that drops or repeats one frame of a live session puts the
// counts out of step, and a call can then resolve with another call's result: a capability, or
// another batch's ack. Taken for this batch's ack, such an answer errors somewhere deep in the
// outbox or, worse, is believed; and the session stays up, so every later answer on it is someone
// else's too. So an answer counts only if it is an ack of exactly this batch (every op named once,
// nothing else); anything else is an UnexpectedAnswer, and the flusher abandons the session.
import { z } from "zod/v4";
import { RejectReason, type Ack, type Op } from "../protocol/envelope.js";
import { Count } from "../protocol/items.js";

export class UnexpectedAnswer extends Error {
  constructor(why: string) { super(`unexpected answer: ${why}`); this.name = "UnexpectedAnswer"; }
}

const AckShape = z.object({
  cursor: Count,
  epoch: Count,
  applied: z.array(z.string()),
  duplicates: z.array(z.string()),
  rejected: z.array(z.object({
    op_id: z.string(),
    reason: RejectReason,
    expected_seq: Count.optional(),
    missing: z.array(z.string()).optional(),
  })),
});

/** The answer as the ack of `ops`, or an UnexpectedAnswer when it is not one. */
export function ackOfBatch(answer: unknown, ops: readonly Op[]): Ack {
  const parsed = AckShape.safeParse(answer);
  if (!parsed.success) throw new UnexpectedAnswer(`not an ack (${parsed.error.issues[0]?.message ?? "bad shape"})`);
  const ack = parsed.data;
  const named = [...ack.applied, ...ack.duplicates, ...ack.rejected.map((r) => r.op_id)];
  const sent = new Set(ops.map((op) => op.op_id));
  const once = new Set(named);
  if (named.length !== sent.size || once.size !== sent.size || named.some((id) => !sent.has(id))) {
    throw new UnexpectedAnswer(`an ack naming [${named.join(" ")}] for a batch of [${[...sent].join(" ")}]`);
  }
  return ack;
}
