// The client's durable state: every op is in the outbox before anything is sent.
export const OUTBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  op_id TEXT NOT NULL UNIQUE,
  -- The writer that minted the row: after an unclean restart the outbox writes as a new writer,
  -- and older rows are still sent under their own (op_id = writer_id/writer_seq).
  writer_id TEXT NOT NULL,
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
-- A writer's rows by number: the rows a WriterGap says the server lost (Outbox.resendLostRows).
CREATE INDEX IF NOT EXISTS outbox_writer ON outbox (writer_id, writer_seq);
CREATE INDEX IF NOT EXISTS outbox_open_batches ON outbox (position)
  WHERE batch_id IS NOT NULL AND state = 'pending';
CREATE TABLE IF NOT EXISTS sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  writer_id TEXT NOT NULL,
  next_writer_seq INTEGER NOT NULL,
  share_id TEXT,
  secret TEXT,
  epoch INTEGER NOT NULL DEFAULT 0,
  watermark INTEGER NOT NULL DEFAULT 0,
  -- 1 while an Outbox is open over this database, 0 after Outbox.close(): found at 1 when an Outbox
  -- opens, the last shutdown was unclean and the tail of the writer's numbers may have been lost.
  running INTEGER NOT NULL DEFAULT 0 CHECK (running IN (0, 1))
);
-- An insert consumes the number it was minted with (Outbox.enqueue reads it from sync_state in the
-- same statement): the row and the counter commit together or not at all. Only the current writer's
-- rows count, and the counter never goes back (a row of an older writer, or an older number, is
-- not a mint).
CREATE TRIGGER IF NOT EXISTS outbox_mint AFTER INSERT ON outbox
BEGIN UPDATE sync_state SET next_writer_seq = MAX(next_writer_seq, NEW.writer_seq + 1) WHERE id = 1 AND writer_id = NEW.writer_id; END;
`;
