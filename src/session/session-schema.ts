// The local session model's tables. They live in the sink's database (the Outbox's), so that a local
// change and the enqueue that shares it commit in one transaction (the transactional outbox).
export const SESSION_SCHEMA = `
CREATE TABLE IF NOT EXISTS session_info (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  shared_op TEXT
);
CREATE TABLE IF NOT EXISTS session_messages (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  agent TEXT,
  model TEXT,
  -- op_id of the message's first enqueue (what its later ops depend on); NULL: never shared
  shared_op TEXT,
  -- op_id of the message's latest enqueue (what a full sync of a reshare orders itself after)
  latest_op TEXT
);
CREATE TABLE IF NOT EXISTS session_turns (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  user_message_id TEXT NOT NULL UNIQUE,
  assistant_message_id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('streaming', 'completed', 'failed', 'aborted')),
  assistant_dropped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS session_parts (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  text TEXT NOT NULL,
  version INTEGER NOT NULL,
  -- a tool call's part: JSON {name, status}; NULL for text
  tool TEXT,
  -- op_id of the latest version's enqueue: the next version depends on it, so batches that overtake
  -- each other (maxInFlight > 1) can never leave an older version on the share
  shared_op TEXT
);
CREATE TABLE IF NOT EXISTS session_models (
  session_id TEXT NOT NULL,
  id TEXT NOT NULL,
  provider TEXT NOT NULL,
  shared_op TEXT,
  PRIMARY KEY (session_id, id)
);
CREATE TABLE IF NOT EXISTS session_diffs (
  session_id TEXT PRIMARY KEY,
  -- the session's whole current diff list (JSON), as a session_diff item carries it
  diffs TEXT NOT NULL,
  shared_op TEXT
);
`;
