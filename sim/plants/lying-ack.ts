// Planted: the server reports rejected ops as duplicates, so the client believes they landed and
// stops resending them (A1: an ack that says "duplicate" for an op never applied).
import { serverHanding } from "./cap-wrapper.js";
import { ShareCap } from "../../src/server/capabilities.js";
import type { Ack } from "../../src/protocol/envelope.js";

class LyingShareCap extends ShareCap {
  override appendOps(ops: unknown): Ack {
    const ack = super.appendOps(ops);
    return { ...ack, duplicates: [...ack.duplicates, ...ack.rejected.map((r) => r.op_id)], rejected: [] };
  }
}

export const lyingMain = serverHanding(LyingShareCap);
