// Where a plant may reach into a node: the same seams the world uses to build one.
import type Database from "better-sqlite3";
import type { ShareStore, ShareStoreOptions } from "../../src/server/share-store.js";
import type { DedupeLedger, DedupePolicy } from "../../src/server/dedupe.js";
import type { Outbox, OutboxOptions } from "../../src/client/outbox.js";
import type { SessionStore } from "../../src/session/session-store.js";
import type { ShareSink } from "../../src/session/share-sink.js";
import type { Flusher, FlusherOptions } from "../../src/client/flusher.js";
import type { Rng } from "../../src/protocol/ports.js";

export interface PlantHooks {
  /** Server: the store over the node's database. */
  createStore?: (db: Database.Database, options: ShareStoreOptions) => ShareStore;
  /** Server: the dedupe ledger. */
  ledger?: (db: Database.Database, policy: DedupePolicy) => DedupeLedger;
  /** Server: the main capability each RPC session gets. */
  main?: (store: ShareStore) => object;
  /** Client: runs on the database before the outbox opens it. */
  beforeOutboxOpens?: (db: Database.Database) => void;
  /** Client: the flusher (what it takes for an answer, when it gives a session up). */
  createFlusher?: (...args: ConstructorParameters<typeof Flusher>) => Flusher;
  /** Client: the flusher's settings (batch size, timeout, backoff). */
  flusherOptions?: (options: FlusherOptions) => FlusherOptions;
  /** Client: the outbox over the node's database. */
  createOutbox?: (db: Database.Database, rng: Rng, options: OutboxOptions) => Outbox;
  /** Client: the session model over the outbox (scenarios whose app is "session"). */
  createSessionStore?: (sink: ShareSink) => SessionStore;
}
