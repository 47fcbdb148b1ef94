// Planted: the client sends a batch's ops newest first (say, a query that lost its ORDER BY). The
// server applies them in the order sent, so a row's older write lands last (C1). Causal
// depends_on hides it (the server holds the newer op back until a retry), so only a workload
// without them, as opencode's part updates are, shows it.
import { Outbox, type ReservedBatch } from "../../src/client/outbox.js";

export class ReversedBatchOutbox extends Outbox {
  override reserveBatch(now: number, maxOps: number): ReservedBatch | undefined {
    const batch = super.reserveBatch(now, maxOps);
    return batch && { ...batch, rows: [...batch.rows].reverse() };
  }
}
