// Planted: a ledger that remembers nothing, so every retry and every replay applies again (S1).
import type { DedupeLedger } from "../../src/server/dedupe.js";

export function forgetfulLedger(): DedupeLedger {
  return { check: () => ({ kind: "new" }), record: () => {}, hasApplied: () => true };
}
