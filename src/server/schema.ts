// The server's durable state. Apply + ledger + cursor always change in one transaction.
import type { SqlStore } from "../sqlite/sql-store.js";

export const SERVER_SCHEMA = `
CREATE TABLE IF NOT EXISTS shares (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  secret TEXT NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0,
  cursor INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS share_rows (
  share_id TEXT NOT NULL,
  key TEXT NOT NULL,
  dup INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL,
  PRIMARY KEY (share_id, key, dup)
);
CREATE TABLE IF NOT EXISTS op_ledger (
  share_id TEXT NOT NULL,
  op_id TEXT NOT NULL,
  cursor INTEGER NOT NULL,
  -- sha256 of the op's item (dedupe.ts opDigest): a reused op_id is told from a retry by it.
  digest TEXT NOT NULL,
  PRIMARY KEY (share_id, op_id)
);
CREATE INDEX IF NOT EXISTS op_ledger_cursor ON op_ledger (share_id, cursor);
CREATE TABLE IF NOT EXISTS writer_hwm (
  share_id TEXT NOT NULL,
  writer_id TEXT NOT NULL,
  hwm INTEGER NOT NULL,
  PRIMARY KEY (share_id, writer_id)
);
`;

export function openServerSchema(db: SqlStore): void {
  db.exec(SERVER_SCHEMA);
}
