// Planted: appendOps no longer checks the capability's epoch. A stub redeemed before a revoke keeps
// writing as long as its ops carry the current epoch, which an attacker can guess (S4).
import { ShareStore } from "../../src/server/share-store.js";

export class StaleCapabilityStore extends ShareStore {
  protected override capabilityIsCurrent(): boolean {
    return true;
  }
}
