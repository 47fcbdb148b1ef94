// Planted: close() "tidies up on shutdown" the way opencode's dispose does: it deletes every queued
// row, so the next start has nothing to resend. The user was told those ops were saved; only a clean
// exit runs close(), so only the clean-exit scenario can see it (D1: the client comes back without
// them).
import { Outbox } from "../../src/client/outbox.js";

export class ClearQueueOnCloseOutbox extends Outbox {
  override close(): void {
    this.db.prepare("DELETE FROM outbox WHERE state IN ('pending', 'in_flight')").run();
    super.close();
  }
}
