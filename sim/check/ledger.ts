// The server's dedupe ledger read back with SQL, per policy. Each policy promises a different
// relation between its rows and the share's cursor; S5 checks the promise, D1 and S3 use the rows.
import type Database from "better-sqlite3";
import { query, pluck } from "./sql.js";

export type LedgerPolicy = { kind: "permanent" } | { kind: "window"; size: number } | { kind: "writer-seq" };

/** The checker's own reading of a scenario's dedupe setting (it is configuration, not product code). */
export function ledgerPolicy(text: string): LedgerPolicy {
  const m = /^window\((\d+)\)$/.exec(text);
  if (m) return { kind: "window", size: Number(m[1]) };
  return text === "writer-seq" ? { kind: "writer-seq" } : { kind: "permanent" };
}

export function shareCursor(db: Database.Database, shareID: string): number | undefined {
  return pluck(db, "SELECT cursor FROM shares WHERE id = ?").get(shareID) as number | undefined;
}

/**
 * Whether the ledger moved with the cursor from `from` to `to` (both committed cursors): an op_id
 * ledger holds one row per apply, numbered by cursor (a window only the newest `size`), and
 * writer-seq's marks add up to the cursor because every apply moves one writer's mark by one.
 * Returns a description of the mismatch, or undefined.
 */
export function ledgerMismatch(db: Database.Database, policy: LedgerPolicy, shareID: string, from: number, to: number): string | undefined {
  if (policy.kind === "writer-seq") {
    const sum = (pluck(db, "SELECT COALESCE(SUM(hwm), 0) FROM writer_hwm WHERE share_id = ?").get(shareID) as number);
    return sum === to ? undefined : `writer marks add up to ${sum}, the cursor is ${to}`;
  }
  const lo = to < from ? 0 : from;
  const rows = query(db, "SELECT COUNT(*) AS n, MAX(cursor) AS top FROM op_ledger WHERE share_id = ? AND cursor > ?").get(shareID, lo) as { n: number; top: number | null };
  const span = to - lo;
  const want = policy.kind === "window" ? Math.min(span, policy.size) : span;
  if ((rows.top ?? lo) > to) return `the ledger holds an apply at cursor ${rows.top}, past the cursor ${to}`;
  if (rows.n !== want) return `the ledger gained ${rows.n} row(s) while the cursor moved ${lo} → ${to}`;
  return undefined;
}

/** op_id → cursor of every op an op_id ledger remembers (empty for writer-seq). */
export function ledgerCursors(db: Database.Database, policy: LedgerPolicy, shareID: string): Map<string, number> {
  if (policy.kind === "writer-seq") return new Map();
  const rows = query(db, "SELECT op_id, cursor FROM op_ledger WHERE share_id = ?").all(shareID) as { op_id: string; cursor: number }[];
  return new Map(rows.map((r) => [r.op_id, r.cursor]));
}

/** Whether the ledger still knows `opID` as applied, or undefined when the policy cannot tell. */
export function ledgerKnows(db: Database.Database, policy: LedgerPolicy, shareID: string, opID: string): boolean | undefined {
  if (policy.kind === "window") return undefined;
  if (policy.kind === "permanent") return query(db, "SELECT 1 FROM op_ledger WHERE share_id = ? AND op_id = ?").get(shareID, opID) !== undefined;
  const at = opID.lastIndexOf("/");
  const hwm = pluck(db, "SELECT hwm FROM writer_hwm WHERE share_id = ? AND writer_id = ?").get(shareID, opID.slice(0, at)) as number | undefined;
  return hwm !== undefined && Number(opID.slice(at + 1)) <= hwm;
}

/**
 * Every apply the disk shows, op_id → cursor. An op_id ledger names them; writer-seq's marks
 * imply every sequence number up to each mark (at a cursor no later than the share's).
 */
export function appliesOnDisk(db: Database.Database, policy: LedgerPolicy, shareID: string): Map<string, number> {
  if (policy.kind !== "writer-seq") return ledgerCursors(db, policy, shareID);
  const marks = query(db, "SELECT writer_id, hwm FROM writer_hwm WHERE share_id = ?").all(shareID) as { writer_id: string; hwm: number }[];
  const out = new Map<string, number>();
  for (const { writer_id, hwm } of marks) for (let seq = 1; seq <= hwm; seq++) out.set(`${writer_id}/${seq}`, 0);
  return out;
}
