// The client's session model: the session, its messages, parts, models and diff list, and turns,
// kept in the sink's SQLite database (the Outbox's). Every change commits in ONE transaction with the
// enqueue that shares it, so a crash can never leave a local change that the share will not hear
// of, nor an enqueued op with no local change. Everything the app shares goes through here.
import { atomic } from "../sqlite/atomic.js";
import type Database from "better-sqlite3";
import type { FileDiff } from "../protocol/items.js";
import type { ShareSink } from "./share-sink.js";
import { SESSION_SCHEMA } from "./session-schema.js";
import { sessionStatements, type SessionStatements } from "./session-statements.js";
import { assistantMessageItem, modelItem, partItem, providerOf, sessionDiffItem, sessionItem, userMessageItem, type ToolState } from "./share-items.js";
import { isTurnOutcome, type Turn, type TurnOutcome, type TurnStatus } from "./turn.js";
import { fullSync } from "./full-sync.js";

export interface StartTurnInput {
  sessionID: string;
  /** Also the turn's id. Ids should sort in creation order: the share's "last user message" is the greatest id. */
  userMessageID: string;
  agent: string;
  model: string;
  /** Defaults to `<userMessageID>:assistant`. */
  assistantMessageID?: string;
}

export interface UpdatePartInput { turnID: string; partID: string; text: string; tool?: ToolState }

export interface FinalizeOptions {
  /**
   * Drop the assistant message: if it was never shared (no part yet), the share never sees it.
   * Once shared it cannot be taken back, so its outcome is still shared rather than left streaming.
   */
  dropAssistant?: boolean;
}

export type SessionStep = "openSession" | "startTurn" | "updatePart" | "finalizeTurn" | "shareDiff" | "fullSync";

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

/** A part as session_parts holds it. */
interface PartRow { text: string; version: number; tool: string | null; shared_op: string | null }

/** A tool call only moves forward: pending → running → completed | error. */
const TOOL_RANK: Record<ToolState["status"], number> = { pending: 0, running: 1, completed: 2, error: 2 };

export class SessionStore {
  private readonly db: Database.Database;
  private readonly stmt: SessionStatements;

  /** Takes the sink, not a database: sharing its database is what makes the outbox transactional. */
  constructor(private readonly sink: ShareSink, private readonly options: SessionStoreOptions = {}) {
    this.db = sink.db;
    this.db.exec(SESSION_SCHEMA);
    this.stmt = sessionStatements(this.db);
  }

  /** Creates the session, or retitles it; the same title again changes nothing (a retry after a crash). */
  openSession(input: { id: string; title: string }): void {
    atomic(this.db)(() => {
      const row = this.stmt.session.get(input.id) as { title: string; shared_op: string | null } | undefined;
      if (row?.title === input.title) return;
      const opID = this.sink.enqueue(sessionItem(input), row?.shared_op ? [row.shared_op] : []);
      this.stmt.upsertSession.run(input.id, input.title, opID);
      this.options.beforeCommit?.("openSession");
    });
  }

  /**
   * Persists the user message, with its agent and model, before any generation starts, and shares
   * it; a model the session has not used before is shared too. Starting a turn that already exists
   * returns it unchanged (a caller retrying after a crash).
   */
  startTurn(input: StartTurnInput): Turn {
    for (const field of ["sessionID", "userMessageID", "agent", "model"] as const) {
      if (typeof input[field] !== "string" || input[field].length === 0) throw new Error(`startTurn: ${field} must be a non-empty string`);
    }
    const assistantID = input.assistantMessageID ?? `${input.userMessageID}:assistant`;
    return atomic(this.db)((): Turn => {
      const existing = this.turn(input.userMessageID);
      if (existing) return existing;
      if (!this.stmt.model.get(input.sessionID, input.model)) {
        this.stmt.insertModel.run(input.sessionID, input.model, providerOf(input.model), this.sink.enqueue(modelItem(input.model)));
      }
      const opID = this.sink.enqueue(userMessageItem({ id: input.userMessageID, sessionID: input.sessionID, agent: input.agent, model: input.model }));
      this.stmt.insertMessage.run(input.userMessageID, input.sessionID, "user", input.agent, input.model, opID, opID);
      this.stmt.insertMessage.run(assistantID, input.sessionID, "assistant", null, null, null, null);
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
      const previous = this.stmt.part.get(input.partID) as PartRow | undefined;
      if (previous?.tool && !toolMayBecome(JSON.parse(previous.tool) as ToolState, input.tool)) {
        throw new Error(`part ${input.partID}: a ${previous.tool} tool call cannot become ${JSON.stringify(input.tool ?? "text")}`);
      }
      const version = this.writePart(turn, input, previous);
      this.options.beforeCommit?.("updatePart");
      return version;
    });
  }

  /**
   * streaming → outcome, exactly once, in one transaction with the enqueue that shares it. A tool
   * call still pending or running when the turn ends is ended too, as an error: the share must never
   * show a finished turn with a tool call still running.
   * Idempotent: finalizing a finished turn changes nothing and returns the outcome it already has.
   */
  finalizeTurn(turnID: string, outcome: TurnOutcome, options: FinalizeOptions = {}): TurnOutcome {
    if (!isTurnOutcome(outcome)) throw new Error(`finalizeTurn: "${String(outcome)}" is not completed | failed | aborted`);
    return atomic(this.db)((): TurnOutcome => {
      const turn = this.mustTurn(turnID);
      if (turn.status !== "streaming") return turn.status;
      const shared = this.sharedOp(turn.assistantMessageID) !== undefined;
      const drop = options.dropAssistant === true && !shared;
      this.endOpenToolCalls(turn);
      this.stmt.finish.run(outcome, drop ? 1 : 0, turnID);
      if (!drop) this.shareAssistant(turn, outcome);
      this.options.beforeCommit?.("finalizeTurn");
      return outcome;
    });
  }

  /** Replaces the session's diff list and shares the whole list, after the list it replaces. */
  shareDiff(sessionID: string, diffs: FileDiff[]): void {
    atomic(this.db)(() => {
      const previous = this.stmt.diffs.get(sessionID) as { shared_op: string | null } | undefined;
      const opID = this.sink.enqueue(sessionDiffItem(sessionID, diffs), previous?.shared_op ? [previous.shared_op] : []);
      this.stmt.upsertDiffs.run(sessionID, JSON.stringify(diffs), opID);
      this.options.beforeCommit?.("shareDiff");
    });
  }

  /**
   * Shares the session's whole current state again (a fresh share of it: opencode's share syncs
   * everything). Each row's write is ordered after the row's own write still queued, if any, so a
   * late old write cannot overwrite it. Returns how many items it shared.
   */
  fullSync(sessionID: string): number {
    return atomic(this.db)((): number => {
      const n = fullSync(this.db, this.sink, sessionID);
      this.options.beforeCommit?.("fullSync");
      return n;
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

  /** A part as the local database holds it (an app retrying after a crash asks whether its write landed). */
  part(partID: string): { text: string; version: number; tool?: ToolState } | undefined {
    const row = this.stmt.part.get(partID) as PartRow | undefined;
    return row && { text: row.text, version: row.version, ...(row.tool ? { tool: JSON.parse(row.tool) as ToolState } : {}) };
  }

  /** The session's diff list as the local database holds it, as JSON. */
  diffList(sessionID: string): string | undefined {
    return (this.stmt.diffs.get(sessionID) as { diffs: string } | undefined)?.diffs;
  }

  /** The agent and model the user chose last in this session: what the share's last user message must show. */
  lastUserChoice(sessionID: string): { messageID: string; agent: string; model: string } | undefined {
    const row = this.stmt.lastUser.get(sessionID) as { id: string; agent: string; model: string } | undefined;
    return row && { messageID: row.id, agent: row.agent, model: row.model };
  }

  /** Ends, as errors, the turn's tool calls still pending or running (inside finalizeTurn's transaction). */
  protected endOpenToolCalls(turn: Turn): void {
    for (const part of this.stmt.openTools.all(turn.assistantMessageID) as (PartRow & { id: string; tool: string })[]) {
      const tool = JSON.parse(part.tool) as ToolState;
      this.writePart(turn, { turnID: turn.id, partID: part.id, text: part.text, tool: { name: tool.name, status: "error" } }, part);
    }
  }

  /**
   * Enqueues a part's next version after its message and its previous version (`previous`: the part's
   * row as the caller read it in this transaction; undefined for a new part); returns the version.
   */
  private writePart(turn: Turn, input: UpdatePartInput, previous: PartRow | undefined): number {
    const assistantOp = this.shareAssistant(turn, "streaming");
    const version = previous === undefined ? 0 : previous.version + 1;
    // After the previous version too: pipelined batches must not let an older text win.
    const dependsOn = previous?.shared_op ? [assistantOp, previous.shared_op] : [assistantOp];
    const item = partItem({ id: input.partID, messageID: turn.assistantMessageID, text: input.text, version, ...(input.tool ? { tool: input.tool } : {}) });
    const opID = this.sink.enqueue(item, dependsOn);
    this.stmt.upsertPart.run(input.partID, turn.assistantMessageID, input.text, version, input.tool ? JSON.stringify(input.tool) : null, opID);
    return version;
  }

  /**
   * Enqueues the assistant message with `status`. Its first share depends on the user message (the
   * share never shows a reply before its question); later ones depend on that first share.
   */
  private shareAssistant(turn: Turn, status: TurnStatus): string {
    const first = this.sharedOp(turn.assistantMessageID);
    if (first !== undefined && status === "streaming") return first;
    const dependsOn = first ?? this.sharedOp(turn.userMessageID);
    const opID = this.sink.enqueue(
      assistantMessageItem({ id: turn.assistantMessageID, sessionID: turn.sessionID, status }),
      dependsOn === undefined ? [] : [dependsOn],
    );
    this.stmt.setShared.run(opID, opID, turn.assistantMessageID);
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

/** A tool call's part stays a tool call and only moves forward; a finished call is final. */
function toolMayBecome(from: ToolState, to: ToolState | undefined): boolean {
  return to !== undefined && to.name === from.name && TOOL_RANK[from.status] < 2 && TOOL_RANK[to.status] >= TOOL_RANK[from.status];
}
