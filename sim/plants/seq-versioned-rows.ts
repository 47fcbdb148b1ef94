// Planted: the server keeps, for each row, the write with the highest writer_seq, as if a writer's
// sequence number were a version of the row (last-writer-wins by number). For one writer it is
// even right: a late replay of an older write can never overwrite a newer one. With several
// writers it compares numbers from unrelated counters: a row another writer wrote last keeps the
// write with the larger number, which is not the one the server applied last. Every row still
// holds some writer's last write of it, so a fold of the writers' intents (C1) passes; only the
// server's own order of applies (H1's fold) shows the share is not what that order makes it.
// Session diffs keep their replace-the-list rule (only entity rows are versioned).
import type Database from "better-sqlite3";
import { ShareStore, type ShareStoreOptions } from "../../src/server/share-store.js";
import type { Ack, Op } from "../../src/protocol/envelope.js";
import type { RowWrite } from "../../src/protocol/fold.js";
import type { SyncItem } from "../../src/protocol/items.js";

export class SeqVersionedStore extends ShareStore {
  /** The op each item arrived in (rowWrites is handed only the item). */
  private readonly opOf = new WeakMap<object, Op>();
  private shareID = "";
  private readonly version: Database.Statement;
  private readonly setVersion: Database.Statement;

  constructor(db: Database.Database, options: ShareStoreOptions) {
    super(db, options);
    db.exec("CREATE TABLE IF NOT EXISTS planted_row_version (share_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (share_id, key))");
    this.version = db.prepare("SELECT seq FROM planted_row_version WHERE share_id = ? AND key = ?").pluck();
    this.setVersion = db.prepare("INSERT INTO planted_row_version (share_id, key, seq) VALUES (?, ?, ?) ON CONFLICT (share_id, key) DO UPDATE SET seq = excluded.seq");
  }

  override appendOps(shareID: string, capEpoch: number, ops: Op[]): Ack {
    this.shareID = shareID;
    for (const op of ops) this.opOf.set(op.item, op);
    return super.appendOps(shareID, capEpoch, ops);
  }

  /** Inside the batch's transaction: a row whose stored version is newer by number is left alone. */
  protected override rowWrites(item: SyncItem): RowWrite[] {
    const rows = super.rowWrites(item);
    const op = this.opOf.get(item);
    if (!op || item.type === "session_diff") return rows;
    return rows.filter((w) => {
      const stored = this.version.get(this.shareID, w.key) as number | undefined;
      if (stored !== undefined && stored > op.writer_seq) return false;
      this.setVersion.run(this.shareID, w.key, op.writer_seq);
      return true;
    });
  }
}
