// The session model's prepared statements, over its tables (session-schema.ts).
import type Database from "better-sqlite3";

export function sessionStatements(db: Database.Database) {
  return {
    session: db.prepare("SELECT title, shared_op FROM session_info WHERE id = ?"),
    upsertSession: db.prepare(
      "INSERT INTO session_info (id, title, shared_op) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, shared_op = excluded.shared_op",
    ),
    insertMessage: db.prepare(
      "INSERT INTO session_messages (id, session_id, role, agent, model, shared_op, latest_op) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    message: db.prepare("SELECT id, session_id, role, agent, model, shared_op FROM session_messages WHERE id = ?"),
    // The first share is what a message's later ops depend on; the latest is what a full sync follows.
    setShared: db.prepare("UPDATE session_messages SET shared_op = COALESCE(shared_op, ?), latest_op = ? WHERE id = ?"),
    insertTurn: db.prepare(
      "INSERT INTO session_turns (id, session_id, user_message_id, assistant_message_id, status) VALUES (?, ?, ?, ?, 'streaming')",
    ),
    turn: db.prepare("SELECT * FROM session_turns WHERE id = ?"),
    // The exactly-once transition: only a streaming turn can move, and only once.
    finish: db.prepare("UPDATE session_turns SET status = ?, assistant_dropped = ? WHERE id = ? AND status = 'streaming'"),
    part: db.prepare("SELECT text, version, tool, shared_op FROM session_parts WHERE id = ?"),
    upsertPart: db.prepare(
      "INSERT INTO session_parts (id, message_id, text, version, tool, shared_op) VALUES (?, ?, ?, ?, ?, ?) " +
        "ON CONFLICT (id) DO UPDATE SET text = excluded.text, version = excluded.version, tool = excluded.tool, shared_op = excluded.shared_op",
    ),
    openTools: db.prepare(
      "SELECT id, text, version, tool, shared_op FROM session_parts WHERE message_id = ? AND tool IS NOT NULL " +
        "AND json_extract(tool, '$.status') IN ('pending', 'running') ORDER BY rowid",
    ),
    lastUser: db.prepare(
      "SELECT id, agent, model FROM session_messages WHERE session_id = ? AND role = 'user' ORDER BY id DESC LIMIT 1",
    ),
    model: db.prepare("SELECT id FROM session_models WHERE session_id = ? AND id = ?"),
    insertModel: db.prepare("INSERT INTO session_models (session_id, id, provider, shared_op) VALUES (?, ?, ?, ?)"),
    diffs: db.prepare("SELECT diffs, shared_op FROM session_diffs WHERE session_id = ?"),
    upsertDiffs: db.prepare(
      "INSERT INTO session_diffs (session_id, diffs, shared_op) VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET diffs = excluded.diffs, shared_op = excluded.shared_op",
    ),
  };
}

export type SessionStatements = ReturnType<typeof sessionStatements>;
