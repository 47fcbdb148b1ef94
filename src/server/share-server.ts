// A server node: one SQLite database, the store over it, and the capnweb main object.
import Database from "better-sqlite3";
import { ShareStore, type ShareStoreOptions } from "./share-store.js";
import { ShareServerTarget, type SessionAccess } from "./capabilities.js";

export type CreateStore = (db: Database.Database, options: ShareStoreOptions) => ShareStore;

export class ShareServer {
  readonly store: ShareStore;
  /** `createStore` lets the simulator run a ShareStore subclass (a planted bug) in a real server. */
  constructor(
    readonly db: Database.Database,
    options: ShareStoreOptions,
    createStore: CreateStore = (d, o) => new ShareStore(d, o),
  ) {
    this.store = createStore(db, options);
  }
  /**
   * A fresh main capability, one per RPC session (capnweb disposes it with the session). A host
   * that serves peers says what the session may do (`access`); without it nobody can create
   * shares over the wire and the default per-call limits apply.
   */
  main(access?: SessionAccess): ShareServerTarget {
    return new ShareServerTarget(this.store, access);
  }
}

/**
 * An in-memory database, empty or deserialized from a disk image (the sim's nodes). Only for
 * memory: `journal_mode = MEMORY` on a real file would let a process killed mid-commit corrupt it,
 * so a path is not accepted here (src/runtime/sqlite.ts opens files, with WAL).
 */
export function openDatabase(image?: Buffer): Database.Database {
  const db = image === undefined ? new Database(":memory:") : new Database(image);
  db.pragma("journal_mode = MEMORY");
  return db;
}
