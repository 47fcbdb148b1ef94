// The op a hostile actor forges: its own writer id and a part that carries the intruder mark, so
// its effect is recognisable in the share's database whatever else it forges.
import type { Op } from "../../src/protocol/envelope.js";
import { formatOpId } from "../../src/protocol/op-id.js";
import { INTRUDER_MARK } from "../check/intruder.js";

export function intruderOp(actor: string, attempt: number, epoch: number): Op {
  return {
    op_id: formatOpId(actor, attempt), batch_id: `${actor}/b${attempt}`, seq: 0, writer_id: actor, writer_seq: attempt,
    depends_on: [], capability_epoch: epoch,
    item: { type: "part", data: { id: `prt_${actor}_${attempt}`, messageID: "msg_intruder", text: `${INTRUDER_MARK} ${actor}`, version: 0 } },
  };
}

/** Whether an appendOps answer shows the forged op took effect. */
export function accepted(result: unknown): boolean {
  const applied = (result as { applied?: unknown } | undefined)?.applied;
  return Array.isArray(applied) && applied.length > 0;
}
