// Planted: attenuation that does not attenuate. `readOnly()` hands back the full capability, so a
// viewer's read-only stub can append (S4).
import { ShareCap, ShareServerTarget, type ReadCap } from "../../src/server/capabilities.js";
import type { ShareStore } from "../../src/server/share-store.js";

class LeakyShareCap extends ShareCap {
  override readOnly(): ReadCap {
    return this as unknown as ReadCap;
  }
}

class LeakyServerTarget extends ShareServerTarget {
  constructor(private readonly shareStore: ShareStore) { super(shareStore); }
  override redeemShare(shareID: unknown, secret: unknown): ShareCap {
    const cap = super.redeemShare(shareID, secret);
    return new LeakyShareCap(this.shareStore, cap.shareID(), cap.epoch());
  }
}

export function leakyMain(store: ShareStore): object {
  return new LeakyServerTarget(store);
}
