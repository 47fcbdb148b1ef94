// Where the cloudsession model keeps its records: an asynchronous key-value port (a whole record
// read, a whole record written, like an object store), and its SQLite implementation in the server
// node's database. The port offers no compare-and-set, as the store cloudsession uses is driven
// without one: a write replaces whatever is there.
import type Database from "better-sqlite3";
import { lazyStatements } from "../sqlite/lazy-statements.js";

export interface RecordStorage {
  /** The record stored under `shareID` (its JSON text), or undefined. */
  get(shareID: string): Promise<string | undefined>;
  /** Replaces the record stored under `shareID`. */
  put(shareID: string, record: string): Promise<void>;
}

export const RECORD_SCHEMA = `
CREATE TABLE IF NOT EXISTS share_records (
  share_id TEXT PRIMARY KEY,
  record TEXT NOT NULL
);
`;

/**
 * The records in a table of the server's database. Each call does its SQL at once and returns a
 * settled promise; a throw (a crash the simulator injects after the write) is thrown, not turned
 * into a rejection, so nothing of a dead node runs on.
 */
export class SqliteRecordStorage implements RecordStorage {
  private readonly stmt;

  constructor(db: Database.Database) {
    db.exec(RECORD_SCHEMA);
    this.stmt = lazyStatements({
      get: () => db.prepare("SELECT record FROM share_records WHERE share_id = ?").pluck(),
      put: () => db.prepare(
        "INSERT INTO share_records (share_id, record) VALUES (?, ?) ON CONFLICT (share_id) DO UPDATE SET record = excluded.record",
      ),
    });
  }

  get(shareID: string): Promise<string | undefined> {
    return Promise.resolve(this.stmt.get.get(shareID) as string | undefined);
  }

  put(shareID: string, record: string): Promise<void> {
    this.stmt.put.run(shareID, record);
    return Promise.resolve();
  }
}
