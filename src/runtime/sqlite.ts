// File-backed SQLite for the real-wire runtime (server db, client outbox).
//
// Not `openDatabase()` from src/server: that one sets `journal_mode = MEMORY`, which is right for
// the sim's in-memory images but unsafe on a real file — a process killed mid-commit leaves no
// rollback journal and can corrupt the database. Here: WAL (a kill mid-commit just loses the
// uncommitted tail) and `synchronous = FULL`, because the server acks an op only after its commit,
// and an ack must survive even a power cut.
import Database from "better-sqlite3";

export function openFileDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  return db;
}
