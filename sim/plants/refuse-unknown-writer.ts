// Planted: the old writer-seq rule. A writer whose first op the server has not seen is refused for
// good, as a lost history. With batches in flight, a writer's second batch overtakes its first,
// its rows fail permanently and every later op of the writer waits behind them (L1, C1).
import { serverHanding } from "./cap-wrapper.js";
import { ShareCap } from "../../src/server/capabilities.js";
import { SturdyError } from "../../src/protocol/errors.js";
import type { Ack } from "../../src/protocol/envelope.js";

class RefusingShareCap extends ShareCap {
  override appendOps(ops: unknown): Ack {
    const ack = super.appendOps(ops);
    const firstContact = ack.rejected.some((r) => r.reason === "WriterGap" && r.expected_seq === 1);
    if (firstContact) throw new SturdyError("MalformedOps", "unknown writer: its history is lost");
    return ack;
  }
}

export const refusingMain = serverHanding(RefusingShareCap);
