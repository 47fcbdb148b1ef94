// SQL statements and transactions per database side (client, server) and per actor (the product,
// the checker, the rest of the harness), for the bench only: it patches better-sqlite3's
// Statement prototype in this process while installed, which costs far more than the SQL it
// counts, so CPU figures must never be taken while it is on.
//
// Side: a database holding the table `outbox` is a client's, one holding `shares` the server's.
// Actor: the nearest frame of this repository on the stack of each execution. src/ and
// sim/plants/ are the product (whoever called it: the harness asking the outbox for its counts is
// counted as product); sim/check/ and sim/model/ the checker; any other file the harness.
// sim/world/crashing-db.ts is skipped: it is the product's own view of its disk.
// Transactions: better-sqlite3 runs BEGIN and COMMIT as ordinary prepared statements, so a
// transaction is one execution of a statement whose source starts with BEGIN (a nested one is a
// SAVEPOINT, not counted); BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE are not statements.
import Database from "better-sqlite3";
import { fileURLToPath } from "node:url";

export type Side = "client" | "server" | "other";
export type Actor = "product" | "checker" | "harness";
export interface SqlCounts {
  statements: number;
  writes: number;
  transactions: number;
}
export type SqlTally = Record<Side, Record<Actor, SqlCounts>>;

const SIDES: Side[] = ["client", "server", "other"];
const ACTORS: Actor[] = ["product", "checker", "harness"];
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SKIPPED = new Set(["sim/perf/sql-counter.ts", "sim/world/crashing-db.ts"]);
const METHODS = ["run", "get", "all", "iterate"] as const;

export function emptyTally(): SqlTally {
  const counts = (): Record<Actor, SqlCounts> =>
    Object.fromEntries(ACTORS.map((a) => [a, { statements: 0, writes: 0, transactions: 0 }])) as Record<Actor, SqlCounts>;
  return Object.fromEntries(SIDES.map((s) => [s, counts()])) as SqlTally;
}

/** Which actor a file of this repository belongs to, by its path relative to the root. */
export function actorOfFile(relative: string): Actor | undefined {
  if (SKIPPED.has(relative) || relative.includes("node_modules/")) return undefined;
  if (relative.startsWith("src/") || relative.startsWith("sim/plants/")) return "product";
  if (relative.startsWith("sim/check/") || relative.startsWith("sim/model/")) return "checker";
  return "harness";
}

/** The actor of the code executing a statement right now: the nearest frame of this repository. */
function currentActor(): Actor {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  // Raw call sites, not the formatted stack: formatting under tsx maps every frame through a
  // source map, which would cost more than the whole run.
  Error.prepareStackTrace = (_e, sites) => sites;
  Error.stackTraceLimit = 40;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder, currentActor);
  const sites = holder.stack ?? [];
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  for (const site of sites) {
    let file = site.getFileName() ?? "";
    if (file.startsWith("file://")) file = fileURLToPath(file);
    if (!file.startsWith(ROOT)) continue;
    const actor = actorOfFile(file.slice(ROOT.length));
    if (actor) return actor;
  }
  return "harness";
}

/** Client or server by the tables it holds; not cached until known (a schema may come later). */
function sideFinder(original: Record<(typeof METHODS)[number], (...a: unknown[]) => unknown>) {
  const known = new WeakMap<Database.Database, Side>();
  return (db: Database.Database): Side => {
    const cached = known.get(db);
    if (cached) return cached;
    let names: unknown[] = [];
    try {
      const stmt = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('outbox', 'shares')").pluck();
      names = original.all.call(stmt) as unknown[];
    } catch {
      return "other"; // closed, or not a database we can read: counted, not classified
    }
    const side: Side = names.includes("outbox") ? "client" : names.includes("shares") ? "server" : "other";
    if (side !== "other") known.set(db, side);
    return side;
  };
}

const CONTROL = /^\s*(COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const BEGIN = /^\s*BEGIN\b/i;

export interface SqlCounter {
  tally(): SqlTally;
  reset(): void;
  uninstall(): void;
}

/** Called for every statement counted: to see what makes a figure up. */
export type OnStatement = (side: Side, actor: Actor, source: string) => void;

/** Patches better-sqlite3 until `uninstall()`; one counter at a time. */
export function installSqlCounter(onStatement?: OnStatement): SqlCounter {
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  const original = Object.fromEntries(METHODS.map((m) => [m, proto[m]!])) as Record<(typeof METHODS)[number], (...a: unknown[]) => unknown>;
  const originalExec = Database.prototype.exec;
  const sideOf = sideFinder(original);
  let tally = emptyTally();
  let on = true;
  const count = (db: Database.Database, source: string, reader: boolean) => {
    if (CONTROL.test(source)) return;
    const side = sideOf(db);
    const actor = currentActor();
    onStatement?.(side, actor, source);
    const c = tally[side][actor];
    if (BEGIN.test(source)) c.transactions += 1;
    else {
      c.statements += 1;
      if (!reader) c.writes += 1;
    }
  };
  for (const m of METHODS) {
    // A statement prepared while installed may keep this function (crashing-db copies `run` onto
    // the instance), so it checks `on` rather than trusting uninstall to reach every copy.
    proto[m] = function (this: Database.Statement, ...args: unknown[]) {
      if (on) count(this.database, this.source, this.reader);
      return original[m].apply(this, args);
    };
  }
  Database.prototype.exec = function (this: Database.Database, source: string) {
    if (on) count(this, source, false); // schema scripts: one call, counted as one write
    return originalExec.call(this, source);
  };
  return {
    tally: () => tally,
    reset: () => { tally = emptyTally(); },
    uninstall: () => {
      on = false;
      for (const m of METHODS) proto[m] = original[m];
      Database.prototype.exec = originalExec;
    },
  };
}
