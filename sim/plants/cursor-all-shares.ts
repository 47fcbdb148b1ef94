// Planted: the cursor update lost its WHERE clause. Every append moves the cursor of every share to
// this share's: invisible with one share, and with two the other share's cursor jumps or goes back
// while its ledger does not move (S2, S5). Only a world with several shares shows it.
import type Database from "better-sqlite3";
import { ShareStore, type ShareStoreOptions } from "../../src/server/share-store.js";
import type { Ack, Op } from "../../src/protocol/envelope.js";

export class CursorForAllSharesStore extends ShareStore {
  constructor(private readonly database: Database.Database, options: ShareStoreOptions) {
    super(database, options);
  }

  override appendOps(shareID: string, capEpoch: number, ops: Op[]): Ack {
    const ack = super.appendOps(shareID, capEpoch, ops);
    this.database.prepare("UPDATE shares SET cursor = ?").run(ack.cursor);
    return ack;
  }
}
