// A server node: one SQLite database, the store over it, and the capnweb main object.
import Database from "better-sqlite3";
import { ShareStore, type ShareStoreOptions } from "./share-store.js";
import { ShareServerTarget } from "./capabilities.js";

export class ShareServer {
  readonly store: ShareStore;
  constructor(readonly db: Database.Database, options: ShareStoreOptions) {
    this.store = new ShareStore(db, options);
  }
  /** A fresh main capability, one per RPC session (capnweb disposes it with the session). */
  main(): ShareServerTarget {
    return new ShareServerTarget(this.store);
  }
}

export function openDatabase(image?: Buffer | string): Database.Database {
  const db = image === undefined ? new Database(":memory:") : new Database(image as Buffer);
  db.pragma("journal_mode = MEMORY");
  return db;
}
