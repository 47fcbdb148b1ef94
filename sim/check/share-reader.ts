// Reads a share back out of the server's database with plain SQL and decodes it into the
// reference model's ShareView, without the product's code: the row layout is the only contract.
// Row keys: `<kind>:<id>` for entities, `diff:<session>:<file>` for file diffs, where the session
// is written as a JSON string (`diff:"ses_1":src/a.ts`) so that ids containing ':' stay
// unambiguous; the older unquoted form is still read.
import type Database from "better-sqlite3";
import { emptyView, type ShareView } from "../model/reference.js";
import { INTRUDER_MARK } from "./intruder.js";
import { query } from "./sql.js";

export interface StoredRow { key: string; dup: number; value: string }

export interface DecodedShare {
  view: ShareView;
  /** Rows a hostile actor wrote (they carry its mark): S4's evidence, not C1's. */
  intruded: string[];
  /** Rows whose key or value no reader could make sense of. */
  garbled: string[];
}

export function readShareRows(db: Database.Database, shareID: string): StoredRow[] {
  return query(db, "SELECT key, dup, value FROM share_rows WHERE share_id = ? ORDER BY key, dup").all(shareID) as StoredRow[];
}

export function decodeShare(rows: StoredRow[]): DecodedShare {
  const out: DecodedShare = { view: emptyView(), intruded: [], garbled: [] };
  for (const row of rows) {
    if (row.value.includes(INTRUDER_MARK)) {
      out.intruded.push(row.key);
      continue;
    }
    const value = parseObject(row.value);
    if (!value) out.garbled.push(row.key);
    else if (row.key.startsWith("diff:")) addDiff(out, row.key, value);
    else out.view.entities.set(row.key, value);
  }
  return out;
}

function addDiff(out: DecodedShare, key: string, value: Record<string, unknown>): void {
  const session = diffSession(key.slice("diff:".length));
  if (session === undefined) {
    out.garbled.push(key);
    return;
  }
  const list = out.view.diffs.get(session) ?? [];
  list.push(value);
  out.view.diffs.set(session, list);
}

/** The session id of a diff row key (after `diff:`), quoted or, in the older form, not. */
export function diffSession(rest: string): string | undefined {
  if (!rest.startsWith('"')) {
    const colon = rest.indexOf(":");
    return colon > 0 ? rest.slice(0, colon) : undefined;
  }
  let end = 1;
  while (end < rest.length && rest[end] !== '"') end += rest[end] === "\\" ? 2 : 1;
  try {
    const session = JSON.parse(rest.slice(0, end + 1)) as unknown;
    return typeof session === "string" && rest[end + 1] === ":" ? session : undefined;
  } catch {
    return undefined;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
