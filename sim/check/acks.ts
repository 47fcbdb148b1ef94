// A1: an ack must tell the truth. An op acked `applied` was applied (by this call, so at a cursor
// no later than the ack's); an op acked `duplicate` was applied before, with the same content as
// the op the client holds under that id; a CursorMismatch says the batch's precondition failed, so
// nothing of that batch may have applied. A server that acks a reused op_id as a duplicate
// silently drops the new content: this is where that shows.
import type { Ack } from "../../src/protocol/envelope.js";
import type { ApplyLog } from "./applies.js";
import type { Report } from "./violations.js";

export function judgeAck(ack: Ack, applies: ApplyLog, rolledBack: ReadonlySet<string>, contentOf: (opID: string) => string | undefined, report: Report): void {
  if (ack.applied.length > 0 && ack.rejected.some((r) => r.reason === "CursorMismatch")) {
    report("A1", "precondition-partial", `ack rejects a batch's expected_cursor (CursorMismatch) yet applied ${ack.applied.length} of its ops`);
  }
  for (const op of ack.applied) {
    const a = applies.first.get(op);
    if (!a && !rolledBack.has(op)) report("A1", "applied-never", `ack says ${op} was applied; the server never applied it`);
    else if (a && a.cursor > ack.cursor) report("A1", "applied-later", `ack at cursor ${ack.cursor} says ${op} was applied; it was applied at ${a.cursor}`);
  }
  for (const op of ack.duplicates) {
    const a = applies.first.get(op);
    if (!a) {
      if (!rolledBack.has(op)) report("A1", "duplicate-never", `ack says ${op} is a duplicate; the server never applied it`);
      continue;
    }
    const mine = contentOf(op);
    if (mine !== undefined && a.content !== undefined && mine !== a.content) {
      report("A1", "duplicate-other-content", `ack says ${op} is a duplicate, but the server applied other content under that id: the client's write is dropped`);
    }
  }
}
