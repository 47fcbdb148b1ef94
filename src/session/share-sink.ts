// Where the session model sends what it shares. The Outbox is one (durable: the row commits in the
// same transaction as the local change); today's ShareNext path is the other (src/legacy/
// legacy-sink.ts: an in-memory queue the transaction cannot reach). The session model is the
// same for both, so the simulator compares the two designs on the same app.
import type Database from "better-sqlite3";
import type { SyncItem } from "../protocol/items.js";

export interface ShareSink {
  /** The app's local database: the session model keeps its tables here. */
  readonly db: Database.Database;
  /** Shares `item` after the ops it depends on; returns the op's id. */
  enqueue(item: SyncItem, dependsOn?: string[]): string;
  /** Whether this op is still waiting to be sent or answered (a reshare's full sync orders itself after it). */
  queued(opID: string): boolean;
}
