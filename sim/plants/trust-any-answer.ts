// Planted: the flusher takes whatever its appendOps call resolves to for that batch's ack, as it did
// before the adversarial wire mode: no check that the answer names exactly the ops it sent. On a
// session whose RPC numbers a broken proxy put out of step (a repeated push), a call can resolve
// with another call's result. A capability still fails in the outbox (and the untyped error gives
// the session up); another batch's ack, which the pipelined calls of adversarial-frames make
// possible, is believed: the call is silently completed with a wrong answer (F1).
import { Flusher } from "../../src/client/flusher.js";
import type { Ack, Op } from "../../src/protocol/envelope.js";

export class TrustingFlusher extends Flusher {
  protected override acceptAnswer(answer: unknown, _ops: readonly Op[]): Ack {
    return answer as Ack;
  }
}
