// The SqlStore port over a SQLite-backed Durable Object's storage (`ctx.storage`): `sql.exec` runs a
// statement at once, `transactionSync` wraps a function in a transaction (a savepoint when nested).
// Only the shapes used here are declared, so src/ needs no Workers type package; deploy/worker
// hands in the real `ctx.storage`.
//
// Durability needs nothing extra: a Durable Object's output gate holds every outgoing message (an
// ack included) until the writes before it are durable, as better-sqlite3's synchronous=FULL
// commit does before ShareStore returns.
import type { SqlStatement, SqlStore, SqlValue } from "../sqlite/sql-store.js";

/** The part of a Durable Object's SqlStorageCursor used here. */
export interface DurableSqlCursor {
  toArray(): Record<string, unknown>[];
  raw(): IterableIterator<unknown[]>;
}

/** The part of a Durable Object's `ctx.storage` used here. */
export interface DurableStorage {
  readonly sql: { exec(query: string, ...bindings: SqlValue[]): DurableSqlCursor };
  transactionSync<T>(work: () => T): T;
}

export function durableSqlStore(storage: DurableStorage): SqlStore {
  const sql = storage.sql;
  return {
    exec: (query) => { sql.exec(query); },
    prepare: <Row>(query: string): SqlStatement<Row> => ({
      run: (...params) => { sql.exec(query, ...params); },
      get: (...params) => sql.exec(query, ...params).toArray()[0] as Row | undefined,
      all: (...params) => sql.exec(query, ...params).toArray() as Row[],
    }),
    prepareScalar: <Value>(query: string): SqlStatement<Value> => ({
      run: (...params) => { sql.exec(query, ...params); },
      get: (...params) => {
        for (const row of sql.exec(query, ...params).raw()) return row[0] as Value;
        return undefined;
      },
      all: (...params) => Array.from(sql.exec(query, ...params).raw(), (row) => row[0] as Value),
    }),
    transaction: (work) => storage.transactionSync(work),
  };
}
