// Planted: the client sets its watermark to the cursor of whichever ack arrives, instead of the
// highest seen: a late ack of an older batch moves it back (S2).
import { Outbox, type ReservedBatch } from "../../src/client/outbox.js";
import type { Ack } from "../../src/protocol/envelope.js";

export class RegressingWatermarkOutbox extends Outbox {
  override recordAck(batch: ReservedBatch, ack: Ack, retryAt: number): void {
    super.recordAck(batch, ack, retryAt);
    this.db.prepare("UPDATE sync_state SET watermark = ? WHERE id = 1").run(ack.cursor);
  }
}
