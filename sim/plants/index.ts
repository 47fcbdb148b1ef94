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
import { trustingLedger } from "./ignore-dependencies.js";
import { RegressingWatermarkOutbox } from "./watermark-regress.js";
import { lyingMain } from "./lying-ack.js";
import { DropAgentModelStore } from "./drop-agent-model.js";
import { NeverAckingOutbox } from "./never-acks.js";
import { escalatingMain } from "./escalating-read-cap.js";
import { refusingMain } from "./refuse-unknown-writer.js";
import { uncapped } from "./uncapped-backoff.js";
import { ReversedBatchOutbox } from "./reversed-batch.js";
import { CursorForAllSharesStore } from "./cursor-all-shares.js";
import { AckFromLeftShareOutbox } from "./ack-from-left-share.js";
import { unorderedPartVersions } from "./unordered-part-versions.js";
import { ClearQueueOnCloseOutbox } from "./clear-queue-on-close.js";
import { staleReadMain } from "./stale-read.js";
import { SeqVersionedStore } from "./seq-versioned-rows.js";
import { oneMarkPerShare } from "./one-mark-per-share.js";
import { ToolsLeftRunningStore } from "./tools-left-running.js";
import { TrustingFlusher } from "./trust-any-answer.js";
import { SessionKeepingFlusher } from "./keep-broken-session.js";

export interface Plant {
  description: string;
  /** The invariant that must catch it. */
  invariant: string;
  /** The scenario it shows in. */
  scenario: string;
  /** Found only with swarm sampling (a dimension the scenario's own setting leaves out). */
  swarm?: boolean;
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
  "split-ack-unprobed": {
    description: "the same split, with no named probe between the two transactions: only a crash after any durable write finds it",
    invariant: "S5", scenario: "crashes",
    hooks: { createOutbox: (db, rng, options) => new SplitAckOutbox(db, rng, options, false) },
  },
  "leaky-read-only": {
    description: "attenuation hands back the full capability: a read-only stub can append",
    invariant: "S4", scenario: "read-only-viewer",
    hooks: { main: leakyMain },
  },
  "read-cap-escalates": {
    description: "a read-only capability's readOnly() hands out the full capability",
    invariant: "S4", scenario: "read-only-viewer",
    hooks: { main: escalatingMain },
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
  "ignore-dependencies": {
    description: "the server treats every dependency as landed",
    invariant: "S3", scenario: "pipelined",
    hooks: { ledger: trustingLedger },
  },
  "watermark-regress": {
    description: "the client sets its watermark to the latest ack's cursor instead of the highest",
    invariant: "S2", scenario: "pipelined",
    hooks: { createOutbox: (db, rng, options) => new RegressingWatermarkOutbox(db, rng, options) },
  },
  "lying-ack": {
    description: "the server reports rejected ops as duplicates",
    invariant: "A1", scenario: "pipelined",
    hooks: { main: lyingMain },
  },
  "drop-agent-model": {
    description: "the server stores user messages without agent and model",
    invariant: "C2", scenario: "basic",
    hooks: { createStore: (db, options) => new DropAgentModelStore(db, options) },
  },
  "refuse-unknown-writer": {
    description: "writer-seq refuses for good a writer whose first op it has not seen (the rule before the pipelining fix)",
    invariant: "L1", scenario: "writer-seq-pipelined",
    hooks: { main: refusingMain },
  },
  "uncapped-backoff": {
    description: "the client's exponential backoff has no cap: after a long outage its next retry is hours away",
    invariant: "L1", scenario: "long-outages",
    hooks: { flusherOptions: uncapped },
  },
  "reversed-batch": {
    description: "the client sends each batch's ops newest first",
    invariant: "C1", scenario: "lossy", swarm: true,
    hooks: { createOutbox: (db, rng, options) => new ReversedBatchOutbox(db, rng, options) },
  },
  "cursor-all-shares": {
    description: "the server's cursor update has no WHERE clause: every share's cursor moves",
    invariant: "S5", scenario: "two-sessions",
    hooks: { createStore: (db, options) => new CursorForAllSharesStore(db, options) },
  },
  "ack-from-left-share": {
    description: "after a reshare the client records the old share's acks as the new share's",
    invariant: "S2", scenario: "reshare", swarm: true,
    hooks: { createOutbox: (db, rng, options) => new AckFromLeftShareOutbox(db, rng, options) },
  },
  "unordered-part-versions": {
    description: "the session model's part updates do not depend on the part's previous version",
    invariant: "C1", scenario: "session-app",
    hooks: { createSessionStore: unorderedPartVersions },
  },
  "tools-left-running": {
    description: "a turn that ends leaves its unfinished tool calls pending or running, instead of ending them as errors",
    invariant: "T1", scenario: "session-app",
    hooks: { createSessionStore: (sink) => new ToolsLeftRunningStore(sink) },
  },
  "stale-read": {
    description: "the server answers a read with the rows of the previous read and the current cursor",
    invariant: "R1", scenario: "read-side",
    hooks: { main: staleReadMain },
  },
  "seq-versioned-rows": {
    description: "the server keeps each row's write with the highest writer_seq (last-writer-wins by sequence number): right for one writer, wrong across writers",
    invariant: "H1", scenario: "two-writers",
    hooks: { createStore: (db, options) => new SeqVersionedStore(db, options) },
  },
  "one-mark-per-share": {
    description: "writer-seq keeps one high-water mark per share instead of per writer: a second writer's (or a reinstalled one's) numbers are taken for duplicates",
    invariant: "A1", scenario: "reinstalled-writer",
    hooks: { ledger: oneMarkPerShare },
  },
  "never-acks": {
    description: "the client never records an ack and retries every batch forever",
    invariant: "L1", scenario: "basic",
    hooks: { createOutbox: (db, rng, options) => new NeverAckingOutbox(db, rng, options) },
  },
  "clear-queue-on-close": {
    description: "the client's close() deletes the queued rows, as opencode's dispose clears its queue: a clean exit loses them",
    invariant: "D1", scenario: "clean-exit",
    hooks: { createOutbox: (db, rng, options) => new ClearQueueOnCloseOutbox(db, rng, options) },
  },
  "trust-any-answer": {
    description: "the client takes whatever its appendOps call resolves to for that batch's ack: on a session a broken proxy put out of step, another call's answer is believed",
    invariant: "F1", scenario: "adversarial-frames",
    hooks: { createFlusher: (...args) => new TrustingFlusher(...args) },
  },
  "keep-broken-session": {
    description: "only a timeout makes the client give its session up: after a repeated frame every call on it fails the same way, for good",
    invariant: "L1", scenario: "adversarial-frames",
    hooks: { createFlusher: (...args) => new SessionKeepingFlusher(...args) },
  },
} satisfies Record<string, Plant>;

export type PlantName = keyof typeof PLANTS;
export const PLANT_NAMES = Object.keys(PLANTS) as PlantName[];

export function plantHooks(name: PlantName | undefined): PlantHooks {
  return name ? PLANTS[name].hooks : {};
}
