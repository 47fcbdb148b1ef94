// The client's durable state: every op is in the outbox before anything is sent.
export const OUTBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  op_id TEXT NOT NULL UNIQUE,
  writer_seq INTEGER NOT NULL,
  batch_id TEXT,
  seq INTEGER,
  depends_on TEXT NOT NULL,
  item TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'acked', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_retry_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, position);
CREATE INDEX IF NOT EXISTS outbox_batch ON outbox (batch_id);
CREATE INDEX IF NOT EXISTS outbox_open_batches ON outbox (position)
  WHERE batch_id IS NOT NULL AND state = 'pending';
CREATE TABLE IF NOT EXISTS sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  writer_id TEXT NOT NULL,
  next_writer_seq INTEGER NOT NULL,
  share_id TEXT,
  secret TEXT,
  epoch INTEGER NOT NULL DEFAULT 0,
  watermark INTEGER NOT NULL DEFAULT 0
);
`;
