// A reshare's full sync: the session's whole current state, shared again from the local tables, as
// opencode's share does when a session is shared afresh. Every row's write is ordered after the
// row's own write still queued (it goes to the new share under its old op_id), so a late old write
// cannot overwrite the snapshot; the snapshot's ops become what later writes of each row follow.
import type Database from "better-sqlite3";
import type { SyncItem } from "../protocol/items.js";
import type { ShareSink } from "./share-sink.js";
import { assistantMessageItem, modelItem, partItem, sessionDiffItem, sessionItem, userMessageItem, type ToolState } from "./share-items.js";
import type { TurnStatus } from "./turn.js";

interface Snapshot { item: SyncItem; after: string | null; remember: (opID: string) => void }

export function fullSync(db: Database.Database, sink: ShareSink, sessionID: string): number {
  const rows = [...sessionRows(db, sessionID), ...messageRows(db, sessionID), ...partRows(db, sessionID), ...diffRows(db, sessionID)];
  for (const row of rows) {
    const after = row.after !== null && sink.queued(row.after) ? [row.after] : [];
    row.remember(sink.enqueue(row.item, after));
  }
  return rows.length;
}

function sessionRows(db: Database.Database, sessionID: string): Snapshot[] {
  const setOp = db.prepare("UPDATE session_info SET shared_op = ? WHERE id = ?");
  const session = db.prepare("SELECT title, shared_op FROM session_info WHERE id = ?").get(sessionID) as { title: string; shared_op: string | null } | undefined;
  const models = db.prepare("SELECT id, shared_op FROM session_models WHERE session_id = ? ORDER BY rowid").all(sessionID) as { id: string; shared_op: string | null }[];
  const setModel = db.prepare("UPDATE session_models SET shared_op = ? WHERE session_id = ? AND id = ?");
  return [
    ...(session ? [{ item: sessionItem({ id: sessionID, title: session.title }), after: session.shared_op, remember: (op: string) => void setOp.run(op, sessionID) }] : []),
    ...models.map((m) => ({ item: modelItem(m.id), after: m.shared_op, remember: (op: string) => void setModel.run(op, sessionID, m.id) })),
  ];
}

/** User messages, and the assistant messages already shared (with their turn's current status). */
function messageRows(db: Database.Database, sessionID: string): Snapshot[] {
  const rows = db.prepare(
    "SELECT m.id, m.role, m.agent, m.model, m.latest_op, t.status FROM session_messages m " +
      "LEFT JOIN session_turns t ON t.assistant_message_id = m.id " +
      "WHERE m.session_id = ? AND m.shared_op IS NOT NULL ORDER BY m.rowid",
  ).all(sessionID) as { id: string; role: string; agent: string; model: string; latest_op: string | null; status: TurnStatus | null }[];
  const setOp = db.prepare("UPDATE session_messages SET shared_op = ?, latest_op = ? WHERE id = ?");
  return rows.map((m) => ({
    item: m.role === "user"
      ? userMessageItem({ id: m.id, sessionID, agent: m.agent, model: m.model })
      : assistantMessageItem({ id: m.id, sessionID, status: m.status ?? "streaming" }),
    after: m.latest_op,
    remember: (op: string) => void setOp.run(op, op, m.id),
  }));
}

function partRows(db: Database.Database, sessionID: string): Snapshot[] {
  const rows = db.prepare(
    "SELECT p.id, p.message_id, p.text, p.version, p.tool, p.shared_op FROM session_parts p " +
      "JOIN session_messages m ON m.id = p.message_id WHERE m.session_id = ? ORDER BY p.rowid",
  ).all(sessionID) as { id: string; message_id: string; text: string; version: number; tool: string | null; shared_op: string | null }[];
  const setOp = db.prepare("UPDATE session_parts SET shared_op = ? WHERE id = ?");
  return rows.map((p) => ({
    item: partItem({ id: p.id, messageID: p.message_id, text: p.text, version: p.version, ...(p.tool ? { tool: JSON.parse(p.tool) as ToolState } : {}) }),
    after: p.shared_op,
    remember: (op: string) => void setOp.run(op, p.id),
  }));
}

function diffRows(db: Database.Database, sessionID: string): Snapshot[] {
  const row = db.prepare("SELECT diffs, shared_op FROM session_diffs WHERE session_id = ?").get(sessionID) as { diffs: string; shared_op: string | null } | undefined;
  const setOp = db.prepare("UPDATE session_diffs SET shared_op = ? WHERE session_id = ?");
  return row ? [{ item: sessionDiffItem(sessionID, JSON.parse(row.diffs) as never), after: row.shared_op, remember: (op: string) => void setOp.run(op, sessionID) }] : [];
}
