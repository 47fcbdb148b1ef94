// The client's session model: messages, parts and turns, kept in the Outbox's own SQLite database.
// Every change commits in ONE transaction with the enqueue that shares it, so a crash can never
// leave a local change that the share will not hear of, nor an enqueued op with no local change.
import { atomic } from "../sqlite/atomic.js";
import type Database from "better-sqlite3";
import type { Outbox } from "../client/outbox.js";
import { SESSION_SCHEMA } from "./session-schema.js";
import { assistantMessageItem, partItem, userMessageItem } from "./share-items.js";
import { isTurnOutcome, type Turn, type TurnOutcome, type TurnStatus } from "./turn.js";

export interface StartTurnInput {
  sessionID: string;
  /** Also the turn's id. Ids should sort in creation order: the share's "last user message" is the greatest id. */
  userMessageID: string;
  agent: string;
  model: string;
  /** Defaults to `<userMessageID>:assistant`. */
  assistantMessageID?: string;
}

export interface UpdatePartInput { turnID: string; partID: string; text: string }

export interface FinalizeOptions {
  /**
   * Drop the assistant message: if it was never shared (no part yet), the share never sees it.
   * Once shared it cannot be taken back, so its outcome is still shared rather than left streaming.
   */
  dropAssistant?: boolean;
}

export type SessionStep = "startTurn" | "updatePart" | "finalizeTurn";

export interface SessionStoreOptions {
  /** Test hook: runs inside each transaction after all its writes, just before commit. A throw is a crash there. */
  beforeCommit?: (step: SessionStep) => void;
}

interface TurnRow {
  id: string;
  session_id: string;
  user_message_id: string;
  assistant_message_id: string;
  status: TurnStatus;
  assistant_dropped: number;
}

export class SessionStore {
  private readonly db: Database.Database;
  private readonly stmt;

  /** Takes the Outbox, not a database: sharing its database is what makes the outbox transactional. */
  constructor(private readonly outbox: Outbox, private readonly options: SessionStoreOptions = {}) {
    this.db = outbox.db;
    this.db.exec(SESSION_SCHEMA);
    this.stmt = {
      insertMessage: this.db.prepare(
        "INSERT INTO session_messages (id, session_id, role, agent, model, shared_op) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      message: this.db.prepare("SELECT id, session_id, role, agent, model, shared_op FROM session_messages WHERE id = ?"),
      setShared: this.db.prepare("UPDATE session_messages SET shared_op = ? WHERE id = ? AND shared_op IS NULL"),
      insertTurn: this.db.prepare(
        "INSERT INTO session_turns (id, session_id, user_message_id, assistant_message_id, status) VALUES (?, ?, ?, ?, 'streaming')",
      ),
      turn: this.db.prepare("SELECT * FROM session_turns WHERE id = ?"),
      // The exactly-once transition: only a streaming turn can move, and only once.
      finish: this.db.prepare("UPDATE session_turns SET status = ?, assistant_dropped = ? WHERE id = ? AND status = 'streaming'"),
      part: this.db.prepare("SELECT version, shared_op FROM session_parts WHERE id = ?"),
      upsertPart: this.db.prepare(
        "INSERT INTO session_parts (id, message_id, text, version, shared_op) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (id) DO UPDATE SET text = excluded.text, version = excluded.version, shared_op = excluded.shared_op",
      ),
      lastUser: this.db.prepare(
        "SELECT id, agent, model FROM session_messages WHERE session_id = ? AND role = 'user' ORDER BY id DESC LIMIT 1",
      ),
    };
  }

  /**
   * Persists the user message, with its agent and model, before any generation starts, and shares
   * it. Starting a turn that already exists returns it unchanged (a caller retrying after a crash).
   */
  startTurn(input: StartTurnInput): Turn {
    for (const field of ["sessionID", "userMessageID", "agent", "model"] as const) {
      if (typeof input[field] !== "string" || input[field].length === 0) throw new Error(`startTurn: ${field} must be a non-empty string`);
    }
    const assistantID = input.assistantMessageID ?? `${input.userMessageID}:assistant`;
    return atomic(this.db)((): Turn => {
      const existing = this.turn(input.userMessageID);
      if (existing) return existing;
      const opID = this.outbox.enqueue(userMessageItem({ id: input.userMessageID, sessionID: input.sessionID, agent: input.agent, model: input.model }));
      this.stmt.insertMessage.run(input.userMessageID, input.sessionID, "user", input.agent, input.model, opID);
      this.stmt.insertMessage.run(assistantID, input.sessionID, "assistant", null, null, null);
      this.stmt.insertTurn.run(input.userMessageID, input.sessionID, input.userMessageID, assistantID);
      this.options.beforeCommit?.("startTurn");
      return this.mustTurn(input.userMessageID);
    });
  }

  /** Writes the next version of a part of the turn's assistant message and shares it. Returns the version. */
  updatePart(input: UpdatePartInput): number {
    return atomic(this.db)((): number => {
      const turn = this.mustTurn(input.turnID);
      if (turn.status !== "streaming") throw new Error(`turn ${turn.id} is ${turn.status}: its parts are final`);
      const assistantOp = this.shareAssistant(turn, "streaming");
      const previous = this.stmt.part.get(input.partID) as { version: number; shared_op: string | null } | undefined;
      const version = previous === undefined ? 0 : previous.version + 1;
      // After the previous version too: pipelined batches must not let an older text win.
      const dependsOn = previous?.shared_op ? [assistantOp, previous.shared_op] : [assistantOp];
      const opID = this.outbox.enqueue(partItem({ id: input.partID, messageID: turn.assistantMessageID, text: input.text, version }), dependsOn);
      this.stmt.upsertPart.run(input.partID, turn.assistantMessageID, input.text, version, opID);
      this.options.beforeCommit?.("updatePart");
      return version;
    });
  }

  /**
   * streaming → outcome, exactly once, in one transaction with the enqueue that shares it.
   * Idempotent: finalizing a finished turn changes nothing and returns the outcome it already has.
   */
  finalizeTurn(turnID: string, outcome: TurnOutcome, options: FinalizeOptions = {}): TurnOutcome {
    if (!isTurnOutcome(outcome)) throw new Error(`finalizeTurn: "${String(outcome)}" is not completed | failed | aborted`);
    return atomic(this.db)((): TurnOutcome => {
      const turn = this.mustTurn(turnID);
      if (turn.status !== "streaming") return turn.status;
      const shared = this.sharedOp(turn.assistantMessageID) !== undefined;
      const drop = options.dropAssistant === true && !shared;
      this.stmt.finish.run(outcome, drop ? 1 : 0, turnID);
      if (!drop) this.shareAssistant(turn, outcome);
      this.options.beforeCommit?.("finalizeTurn");
      return outcome;
    });
  }

  turn(turnID: string): Turn | undefined {
    const row = this.stmt.turn.get(turnID) as TurnRow | undefined;
    return row && {
      id: row.id,
      sessionID: row.session_id,
      userMessageID: row.user_message_id,
      assistantMessageID: row.assistant_message_id,
      status: row.status,
      assistantDropped: row.assistant_dropped === 1,
    };
  }

  /** The agent and model the user chose last in this session: what the share's last user message must show. */
  lastUserChoice(sessionID: string): { messageID: string; agent: string; model: string } | undefined {
    const row = this.stmt.lastUser.get(sessionID) as { id: string; agent: string; model: string } | undefined;
    return row && { messageID: row.id, agent: row.agent, model: row.model };
  }

  /**
   * Enqueues the assistant message with `status`. Its first share depends on the user message (the
   * share never shows a reply before its question); later ones depend on that first share.
   */
  private shareAssistant(turn: Turn, status: TurnStatus): string {
    const first = this.sharedOp(turn.assistantMessageID);
    if (first !== undefined && status === "streaming") return first;
    const dependsOn = first ?? this.sharedOp(turn.userMessageID);
    const opID = this.outbox.enqueue(
      assistantMessageItem({ id: turn.assistantMessageID, sessionID: turn.sessionID, status }),
      dependsOn === undefined ? [] : [dependsOn],
    );
    this.stmt.setShared.run(opID, turn.assistantMessageID);
    return first ?? opID;
  }

  private sharedOp(messageID: string): string | undefined {
    const row = this.stmt.message.get(messageID) as { shared_op: string | null } | undefined;
    return row?.shared_op ?? undefined;
  }

  private mustTurn(turnID: string): Turn {
    const turn = this.turn(turnID);
    if (!turn) throw new Error(`no turn ${turnID}`);
    return turn;
  }
}
