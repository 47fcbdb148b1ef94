// Most capability plants change what one ShareCap does; this gives them a server whose redeemShare
// hands out that ShareCap subclass instead, so each plant is only its own mistake.
import { ShareCap, ShareServerTarget } from "../../src/server/capabilities.js";
import type { ShareStore } from "../../src/server/share-store.js";

export type ShareCapClass = new (store: ShareStore, shareID: string, capEpoch: number) => ShareCap;

export function serverHanding(Cap: ShareCapClass): (store: ShareStore) => object {
  class Target extends ShareServerTarget {
    constructor(private readonly shareStore: ShareStore) { super(shareStore); }
    override redeemShare(shareID: unknown, secret: unknown): ShareCap {
      const cap = super.redeemShare(shareID, secret);
      return new Cap(this.shareStore, cap.shareID(), cap.epoch());
    }
  }
  return (store) => new Target(store);
}
