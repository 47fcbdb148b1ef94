// Today's path behind the same session model: the app's local change commits in its own database,
// and the item goes to ShareNext's in-memory queue, which no transaction reaches (a rollback after
// the sync still leaves the item queued; a crash or a dispose after the commit loses it). Legacy
// sends no op ids or dependencies: the id returned is only the session model's bookkeeping.
import type Database from "better-sqlite3";
import type { SyncItem } from "../protocol/items.js";
import type { ShareSink } from "../session/share-sink.js";

export class LegacySink implements ShareSink {
  private synced = 0;

  constructor(readonly db: Database.Database, private readonly sync: (item: SyncItem) => void) {}

  enqueue(item: SyncItem): string {
    this.sync(item);
    this.synced += 1;
    return `legacy-sync-${this.synced}`;
  }

  /** Nothing is known to be queued: ShareNext keeps no record of what it sent. */
  queued(): boolean {
    return false;
  }
}
