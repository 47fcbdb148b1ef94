// The SqlStore port over a better-sqlite3 connection (or the simulator's crashing wrapper of one).
// Kept as thin as the port allows: a statement IS the prepared better-sqlite3 statement (its run,
// get and all already have the port's shape), and a transaction is the connection's one cached
// wrapper (atomic.ts). Only types come from better-sqlite3, so this file also bundles for workerd.
import type Database from "better-sqlite3";
import { atomic } from "./atomic.js";
import { isSqlStore, type SqlStatement, type SqlStore } from "./sql-store.js";

export function betterSqliteStore(db: Database.Database): SqlStore {
  return {
    exec: (sql) => { db.exec(sql); },
    prepare: <Row>(sql: string) => db.prepare(sql) as unknown as SqlStatement<Row>,
    prepareScalar: <Value>(sql: string) => db.prepare(sql).pluck() as unknown as SqlStatement<Value>,
    transaction: atomic(db),
  };
}

/** The port for `db`: itself if it is one already, else the better-sqlite3 adapter over it. */
export function toSqlStore(db: Database.Database | SqlStore): SqlStore {
  return isSqlStore(db) ? db : betterSqliteStore(db);
}
