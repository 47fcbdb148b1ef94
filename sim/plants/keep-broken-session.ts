// Planted: only a timeout makes the flusher give its session up (the rule before the adversarial
// wire mode). A call that fails any other untyped way (an answer that is not its batch's, an error
// from RPC numbers a repeated frame put out of step) leaves the session open, so every retry goes
// down the same broken session and fails the same way, long after the proxy behaves (L1).
import { Flusher } from "../../src/client/flusher.js";
import { TimeoutError } from "../../src/client/timeout.js";

export class SessionKeepingFlusher extends Flusher {
  protected override sessionBroken(e: unknown): boolean {
    return e instanceof TimeoutError;
  }
}
