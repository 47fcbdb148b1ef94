// Run work in one SQLite transaction. better-sqlite3 builds (and prepares BEGIN/COMMIT for) a new
// wrapper on every db.transaction() call, ~10× the cost of a small transaction itself, so each
// database gets one cached wrapper that runs whatever work it is handed.
import type Database from "better-sqlite3";

export type Atomic = <T>(work: () => T) => T;

const wrappers = new WeakMap<Database.Database, Atomic>();

export function atomic(db: Database.Database): Atomic {
  let run = wrappers.get(db);
  if (!run) {
    const tx = db.transaction((work: () => unknown) => work());
    run = <T>(work: () => T): T => tx(work) as T;
    wrappers.set(db, run);
  }
  return run;
}
