// Planted: the client records an answer from a share it has left (a reshare replaced it) as if the
// current share had given it: rows the new share never saw count as acked, and the old share's
// cursor becomes the new share's watermark, past anything the new share has (S2).
import { Outbox } from "../../src/client/outbox.js";

export class AckFromLeftShareOutbox extends Outbox {
  override leftShare(_shareID: string): boolean {
    return false;
  }
}
