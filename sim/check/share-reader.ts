// Reads a share back out of the server's database with plain SQL and decodes it into the
// reference model's ShareView, without the product's code: the row layout is the only contract.
// Row keys: `<kind>:<id>` for entities, `diff:<session>:<file>` for file diffs, where the session
// is written as a JSON string (`diff:"ses_1":src/a.ts`) so that ids containing ':' stay
// unambiguous; the older unquoted form is still read.
import type Database from "better-sqlite3";
import { emptyView, type ShareView } from "../model/reference.js";
import { INTRUDER_MARK } from "./intruder.js";
import { pluck, query } from "./sql.js";

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

/**
 * A share the rmw legacy server keeps as one record: the JSON text in `share_records`, whose layout
 * (session, messages, parts, models, an append-only diff list, metadata.sessionID and syncCount) is
 * the contract, as row keys are for share_rows. Read back as the rows the same content has in
 * share_rows: entities under `<kind>:<id>`, each diff entry under its session's diff key, a file
 * that appears again counted up in `dup`. A record no reader can make sense of is one garbled row.
 */
export function readRecordRows(db: Database.Database, shareID: string): StoredRow[] {
  const text = pluck(db, "SELECT record FROM share_records WHERE share_id = ?").get(shareID) as string | undefined;
  return text === undefined ? [] : decodeRecord(text).rows;
}

export interface DecodedRecord { syncCount: number | undefined; rows: StoredRow[] }

const RECORD_LISTS = [["messages", "message"], ["parts", "part"], ["models", "model"]] as const;

export function decodeRecord(text: string): DecodedRecord {
  const record = parseObject(text);
  const meta = record?.metadata as Record<string, unknown> | undefined;
  const garbled = { syncCount: undefined, rows: [{ key: "record", dup: 0, value: "" }] };
  if (!record || typeof meta?.sessionID !== "string" || typeof meta.syncCount !== "number") return garbled;
  const entities: unknown[][] = [record.session ? [["session", record.session]] : [], ...RECORD_LISTS.map(([list, kind]) => asList(record[list]).map((e) => [kind, e]))];
  const rows: StoredRow[] = [];
  for (const [kind, entity] of entities.flat() as [string, unknown][]) {
    const id = (entity as { id?: unknown } | null)?.id;
    rows.push(typeof id === "string" ? { key: `${kind}:${id}`, dup: 0, value: JSON.stringify(entity) } : { key: `${kind}:?`, dup: 0, value: "" });
  }
  const copies = new Map<string, number>();
  for (const diff of asList(record.diffs)) {
    const file = (diff as { file?: unknown } | null)?.file;
    const key = `diff:${JSON.stringify(meta.sessionID)}:${String(file)}`;
    const dup = copies.get(key) ?? 0;
    copies.set(key, dup + 1);
    rows.push(typeof file === "string" ? { key, dup, value: JSON.stringify(diff) } : { key: "diff:?", dup, value: "" });
  }
  return { syncCount: meta.syncCount, rows };
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
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
