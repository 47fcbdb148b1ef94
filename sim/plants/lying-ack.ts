// Planted: the server reports rejected ops as duplicates, so the client believes they landed and
// stops resending them (A1: an ack that says "duplicate" for an op never applied).
import { ShareCap, ShareServerTarget } from "../../src/server/capabilities.js";
import type { ShareStore } from "../../src/server/share-store.js";
import type { Ack } from "../../src/protocol/envelope.js";

class LyingShareCap extends ShareCap {
  override appendOps(ops: unknown): Ack {
    const ack = super.appendOps(ops);
    return { ...ack, duplicates: [...ack.duplicates, ...ack.rejected.map((r) => r.op_id)], rejected: [] };
  }
}

class LyingServerTarget extends ShareServerTarget {
  constructor(private readonly shareStore: ShareStore) { super(shareStore); }
  override redeemShare(shareID: unknown, secret: unknown): ShareCap {
    const cap = super.redeemShare(shareID, secret);
    return new LyingShareCap(this.shareStore, cap.shareID(), cap.epoch());
  }
}

export function lyingMain(store: ShareStore): object {
  return new LyingServerTarget(store);
}
