// Planted bugs: deliberately broken variants of the product, each a wrapper or subclass kept here
// so that src/ has no test-only branches. Each names the invariant that must catch it and the
// scenario it shows in; `npm test` and a 200-seed campaign of that scenario must both catch it.
import type { PlantHooks } from "./hooks.js";
import { forgetfulLedger } from "./no-dedupe.js";
import { SplitAckOutbox } from "./split-ack.js";
import { leakyMain } from "./leaky-read-only.js";
import { FirstFileDiffStore } from "./first-file-diff.js";
import { StaleCapabilityStore } from "./stale-capability.js";
import { pretendCleanShutdown } from "./reuse-op-ids.js";

export interface Plant {
  description: string;
  /** The invariant that must catch it. */
  invariant: string;
  /** The scenario it shows in. */
  scenario: string;
  hooks: PlantHooks;
}

export const PLANTS = {
  "no-dedupe": {
    description: "the server keeps no dedupe ledger: every retry applies again",
    invariant: "S1", scenario: "lossy",
    hooks: { ledger: () => forgetfulLedger() },
  },
  "split-ack": {
    description: "the client marks acked rows and advances its watermark in two transactions",
    invariant: "S5", scenario: "crashes",
    hooks: { createOutbox: (db, rng, options) => new SplitAckOutbox(db, rng, options) },
  },
  "leaky-read-only": {
    description: "attenuation hands back the full capability: a read-only stub can append",
    invariant: "S4", scenario: "read-only-viewer",
    hooks: { main: leakyMain },
  },
  "first-file-diff": {
    description: "the server writes only the first file of every session_diff",
    invariant: "C1", scenario: "crashes",
    hooks: { createStore: (db, options) => new FirstFileDiffStore(db, options) },
  },
  "stale-capability": {
    description: "the server does not check a capability's epoch: a stub redeemed before a revoke still writes",
    invariant: "S4", scenario: "revocation",
    hooks: { createStore: (db, options) => new StaleCapabilityStore(db, options) },
  },
  "reuse-op-ids": {
    description: "a client restarting after an unclean shutdown keeps its writer id and re-mints sequence numbers",
    invariant: "C1", scenario: "ack-before-fsync",
    hooks: { beforeOutboxOpens: pretendCleanShutdown },
  },
} satisfies Record<string, Plant>;

export type PlantName = keyof typeof PLANTS;
export const PLANT_NAMES = Object.keys(PLANTS) as PlantName[];

export function plantHooks(name: PlantName | undefined): PlantHooks {
  return name ? PLANTS[name].hooks : {};
}
