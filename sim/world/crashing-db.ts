// A node's database as the product sees it in the world: every durable write boundary is a crash
// opportunity, found from the SQL alone, without annotating the product. A statement that writes
// outside a transaction is durable once it returns; a transaction is durable once its outermost
// commit returns. Either may be the last thing the node does (`crash@client.update-outbox#3`).
// Named probes stay for what SQL cannot see (after an RPC returns, before an ack is handled).
import type Database from "better-sqlite3";

/** Called after each durable write with its site; it may throw to crash the node right there. */
export type OnDurableWrite = (site: string) => void;

/** `UPDATE outbox SET …` → `update-outbox`: the site names what was written, stable across runs. */
export function sqlSite(sql: string): string {
  const m = /^\s*(insert(?:\s+or\s+\w+)?\s+into|update|delete\s+from|replace\s+into)\s+["`]?(\w+)/i.exec(sql);
  return m ? `${m[1]!.split(/\s+/)[0]!.toLowerCase()}-${m[2]!.toLowerCase()}` : "write";
}

/**
 * What the wrapper keeps per connection: the statements the product prepared (a pooled connection
 * serves the next run, whose product prepares the same SQL again: it gets the prepared statement
 * back, which saves the prepare, the costliest part of a small query), and the run's write hook.
 */
interface Connection {
  statements: Map<string, Database.Statement>;
  onWrite: OnDurableWrite;
  /** Inside an outermost transaction: the site of its first write, reported at commit. */
  firstWriteInTx: string | undefined;
}
const connections = new WeakMap<Database.Database, Connection>();

export function crashingDatabase(db: Database.Database, onWrite: OnDurableWrite): Database.Database {
  let c = connections.get(db);
  if (!c) connections.set(db, (c = { statements: new Map(), onWrite, firstWriteInTx: undefined }));
  c.onWrite = onWrite;
  c.firstWriteInTx = undefined;
  const conn = c;
  const prepare = (sql: string): Database.Statement => {
    const cached = conn.statements.get(sql);
    // Handed out as if new: the caller sets the mode it wants again (pluck, raw, expand).
    if (cached) return cached.reader ? cached.pluck(false).raw(false).expand(false) : cached;
    const stmt = instrument(db, db.prepare(sql), sqlSite(sql), conn);
    conn.statements.set(sql, stmt);
    return stmt;
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare") return prepare;
      if (prop === "transaction") return (fn: (...a: unknown[]) => unknown) => committing(target, target.transaction(fn), conn);
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The statement itself, its methods replaced on the instance (a Proxy cost more than the SQL):
 * chainable setters (pluck, raw, …) return the same object, so they keep the replacement. A write
 * runs through `run`, or through `get`/`all` when it returns rows (RETURNING).
 */
function instrument(db: Database.Database, stmt: Database.Statement, site: string, conn: Connection): Database.Statement {
  // sqlSite names SQL it does not recognise as a write "write" (a SELECT): only `run` can write then.
  const methods = site === "write" ? (["run"] as const) : (["run", "get", "all"] as const);
  // The prototype's method is looked up at each call, not captured: whatever wraps the prototype
  // later (the bench's SQL counter) must still see a cached statement's calls.
  const proto = Object.getPrototypeOf(stmt) as Record<string, (...a: unknown[]) => unknown>;
  for (const name of methods) {
    Object.defineProperty(stmt, name, {
      value: (...args: unknown[]) => {
        const result = proto[name]!.apply(stmt, args);
        if (db.inTransaction) conn.firstWriteInTx ??= site;
        else conn.onWrite(site);
        return result;
      },
    });
  }
  return stmt;
}

/** A transaction function whose outermost commit, if it wrote, is a durable write. */
function committing(db: Database.Database, tx: (...a: unknown[]) => unknown, conn: Connection): (...a: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const outermost = !db.inTransaction;
    let result: unknown;
    try {
      result = tx(...args);
    } catch (e) {
      if (outermost) conn.firstWriteInTx = undefined; // rolled back: nothing became durable
      throw e;
    }
    if (outermost && conn.firstWriteInTx !== undefined) {
      const site = `commit-${conn.firstWriteInTx}`;
      conn.firstWriteInTx = undefined;
      conn.onWrite(site);
    }
    return result;
  };
}
