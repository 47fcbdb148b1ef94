// The server's SQL behind one small synchronous port, so the same ShareStore runs on better-sqlite3
// (the simulator, the tests, `sturdy serve`) and in a Cloudflare Durable Object (ctx.storage.sql).
// Both engines are synchronous, so a batch is still one transaction that runs to completion without
// yielding: nothing else can interleave with it, on either.
//
// Adapters: better-sqlite3-store.ts and ../workers/durable-sql-store.ts. Whatever one returns, the
// other must return the same (test/workerd-differential.test.ts compares them on generated batches).

/** What a statement binds: positional `?` parameters only (a Durable Object binds no names). */
export type SqlValue = string | number | null;

export interface SqlStatement<Row> {
  /** Runs it for its effect. */
  run(...params: SqlValue[]): void;
  /** The first row, or undefined when there is none. */
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
}

export interface SqlStore {
  /** One or more statements without parameters (the schema). */
  exec(sql: string): void;
  /** A statement whose rows are objects keyed by column name. */
  prepare<Row>(sql: string): SqlStatement<Row>;
  /** A statement whose rows are reduced to their first column (`SELECT COUNT(*) …`). */
  prepareScalar<Value>(sql: string): SqlStatement<Value>;
  /**
   * Runs `work` in one transaction: committed when it returns, rolled back when it throws. Nested
   * calls join the outer transaction (a savepoint on both engines).
   */
  transaction<T>(work: () => T): T;
}

/** Whether `db` is already a port (an adapter), not an engine's own connection. */
export function isSqlStore(db: unknown): db is SqlStore {
  return typeof db === "object" && db !== null && typeof (db as Partial<SqlStore>).prepareScalar === "function";
}
