// The local session model's tables. They live in the Outbox's database, so that a local change and
// the enqueue that shares it commit in one transaction (the transactional outbox).
export const SESSION_SCHEMA = `
CREATE TABLE IF NOT EXISTS session_messages (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  agent TEXT,
  model TEXT,
  -- op_id of the message's first enqueue (what its later ops depend on); NULL: never shared
  shared_op TEXT
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
  -- op_id of the latest version's enqueue: the next version depends on it, so batches that overtake
  -- each other (maxInFlight > 1) can never leave an older version on the share
  shared_op TEXT
);
`;
