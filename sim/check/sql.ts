// The checkers' SQL, prepared once per database. A check runs after every step, and preparing a
// statement costs more than running it: re-preparing was the largest single cost of a run.
import type Database from "better-sqlite3";

const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The statement for `sql` on `db`, prepared on first use. */
export function query(db: Database.Database, sql: string): Database.Statement {
  return cached(db, sql, false);
}

/** The same, returning only the first column of each row. */
export function pluck(db: Database.Database, sql: string): Database.Statement {
  return cached(db, sql, true);
}

function cached(db: Database.Database, sql: string, plucked: boolean): Database.Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const key = plucked ? `pluck:${sql}` : sql;
  let stmt = cache.get(key);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (plucked) stmt.pluck();
    cache.set(key, stmt);
  }
  return stmt;
}
