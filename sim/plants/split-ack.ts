// Planted: an ack marks the rows in one transaction and advances the watermark in another. A crash
// between the two leaves acked rows above the watermark (S5).
import type Database from "better-sqlite3";
import { Outbox, type OutboxOptions, type ReservedBatch } from "../../src/client/outbox.js";
import type { Ack } from "../../src/protocol/envelope.js";
import { isRetryable } from "../../src/protocol/retryable.js";
import type { Rng } from "../../src/protocol/ports.js";

export class SplitAckOutbox extends Outbox {
  /** `probed`: a named crash point sits between the two transactions; without it only a crash after any commit (the SQL wrapper) can land there. */
  constructor(db: Database.Database, rng: Rng, private readonly plantOptions: OutboxOptions, private readonly probed = true) {
    super(db, rng, plantOptions);
  }

  override recordAck(batch: ReservedBatch, ack: Ack, retryAt: number): void {
    const done = new Set([...ack.applied, ...ack.duplicates]);
    const rejected = new Map(ack.rejected.map((r) => [r.op_id, r.reason]));
    const set = this.db.prepare("UPDATE outbox SET state = ?, attempts = attempts + ?, next_retry_at = ?, last_error = ? WHERE op_id = ?");
    this.db.transaction(() => {
      this.resendLostRows(ack);
      for (const row of batch.rows) {
        const reason = rejected.get(row.op_id);
        if (done.has(row.op_id)) set.run("acked", 0, row.next_retry_at, row.last_error, row.op_id);
        else if (reason && !isRetryable(reason)) set.run("failed", 1, row.next_retry_at, reason, row.op_id);
        else set.run("pending", 1, retryAt, reason ?? "NotInAck", row.op_id);
      }
    })();
    if (this.probed) this.plantOptions.probe?.("client.ack.rows-marked"); // the bug: a crash here leaves the watermark behind
    this.db.prepare("UPDATE sync_state SET watermark = MAX(watermark, ?) WHERE id = 1").run(ack.cursor);
    this.plantOptions.probe?.("client.ack.committed");
  }
}
