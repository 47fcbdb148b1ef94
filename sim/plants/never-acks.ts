// Planted: the client never records an ack: every batch is retried after backoff forever, and the
// world never goes quiet (L1).
import { Outbox, type ReservedBatch } from "../../src/client/outbox.js";
import type { Ack } from "../../src/protocol/envelope.js";

export class NeverAckingOutbox extends Outbox {
  override recordAck(batch: ReservedBatch, _ack: Ack, retryAt: number): void {
    this.recordFailure(batch, "ignored ack", retryAt, false);
  }
}
