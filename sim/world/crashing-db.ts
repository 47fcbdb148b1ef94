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

export function crashingDatabase(db: Database.Database, onWrite: OnDurableWrite): Database.Database {
  let firstWriteInTx: string | undefined;
  // The statement itself, its methods replaced on the instance (a Proxy cost more than the SQL):
  // chainable setters (pluck, raw, …) return the same object, so they keep the replacement. A
  // write runs through `run`, or through `get`/`all` when it returns rows (RETURNING).
  const statement = (stmt: Database.Statement, site: string): Database.Statement => {
    const methods = site === "write" ? (["run"] as const) : (["run", "get", "all"] as const);
    for (const name of methods) {
      const original = stmt[name] as (...a: unknown[]) => unknown;
      Object.defineProperty(stmt, name, {
        value: (...args: unknown[]) => {
          const result = original.apply(stmt, args);
          if (db.inTransaction) firstWriteInTx ??= site;
          else onWrite(site);
          return result;
        },
      });
    }
    return stmt;
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare") return (sql: string) => statement(target.prepare(sql), sqlSite(sql));
      if (prop === "transaction") {
        return (fn: (...a: unknown[]) => unknown) => {
          const tx = target.transaction(fn);
          return (...args: unknown[]) => {
            const outermost = !target.inTransaction;
            let result: unknown;
            try {
              result = tx(...args);
            } catch (e) {
              if (outermost) firstWriteInTx = undefined; // rolled back: nothing became durable
              throw e;
            }
            if (outermost && firstWriteInTx !== undefined) {
              const site = `commit-${firstWriteInTx}`;
              firstWriteInTx = undefined;
              onWrite(site);
            }
            return result;
          };
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
