// A key for "the same world state", used by exploration to prune revisits: both databases, what is
// in flight and which timers are pending (relative to now), the workload position, and what the
// checker has counted so far (so a state that would judge differently never merges).
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import type { Network } from "./network.js";
import type { VirtualClock } from "./clock.js";
import type { Checker } from "./check/checker.js";

export interface StateParts {
  now: number;
  server: Database.Database | undefined;
  client: Database.Database | undefined;
  network: Network;
  clock: VirtualClock;
  nextAction: number;
  checker: Checker;
}

const SERVER_TABLES = ["shares", "share_rows", "op_ledger", "writer_hwm"];
const CLIENT_TABLES = ["outbox", "sync_state"];

function dumpTables(db: Database.Database | undefined, tables: string[], now: number): string {
  if (!db) return "down";
  return tables
    .map((t) => {
      const rows = db.prepare(`SELECT * FROM ${t}`).all() as Record<string, unknown>[];
      // Absolute retry times would keep otherwise-equal states apart.
      return `${t}:${JSON.stringify(rows.map((r) => ("next_retry_at" in r ? { ...r, next_retry_at: Math.max(0, Number(r.next_retry_at) - now) } : r)))}`;
    })
    .join("|");
}

export function stateKeyOf(p: StateParts): string {
  const h = createHash("sha1");
  h.update(dumpTables(p.server, SERVER_TABLES, p.now));
  h.update(dumpTables(p.client, CLIENT_TABLES, p.now));
  h.update(p.network.describe(p.now).join(","));
  h.update(p.clock.pending().join(","));
  h.update(`${p.nextAction}|${[...p.checker.applies.first.keys()].sort().join(",")}|${p.checker.violations.length}`);
  return h.digest("hex");
}
